"""The hostile review of round 19: a Spanish-speaking coordinator's first days with whrd, and an
attacker of its inputs. Each finding is pinned with the text a person reads, in English and in
Spanish, and (for a refusal) with the archive and its backups compared byte for byte."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import Run
from tests.test_editor import drafts, fake_editor

ES = {"WHRD_LANG": "es"}
SRC = Path(__file__).resolve().parents[1] / "src"


def _digests(db: Path) -> dict[str, str]:
    """Every file beside the archive that holds its data (the lock and index aside), by content."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(db.parent.glob(db.name + "*"))
        if p.is_file() and not p.name.endswith((".lock", ".sqlite"))
    }


def _whrd(
    db: Path, *args: str, pass_fds: tuple[int, ...] = (), lang: str = "en"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_RUNTIME_DIR", "WHRD_DEBUG")}
    env.update(PYTHONPATH=str(SRC), WHRD_LANG=lang)
    return subprocess.run(
        [sys.executable, "-m", "whrd_cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        pass_fds=pass_fds,
        timeout=120,
    )


# -- 1. --passphrase-fd with a descriptor that cannot be read: one line, never an internal error ----


@pytest.mark.parametrize("fd", ["-1", "2147483648", "99999999999999999999"])
def test_a_passphrase_fd_out_of_range_is_one_line(tmp_path: Path, fd: str) -> None:
    db = tmp_path / "archive.json"
    for lang, words in (("en", "Cannot read a passphrase"), ("es", "No se puede leer una frase")):
        done = _whrd(db, "--passphrase-fd", fd, "encrypt", lang=lang)
        assert done.returncode in (2, 4), (done.returncode, done.stderr)
        assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1, done.stderr
        assert "internal error" not in done.stderr and "error interno" not in done.stderr
        if done.returncode == 4:
            assert words in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_passphrase_fd_open_for_writing_only_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "archive.json"
    assert _whrd(db, "add", "--title", "Defensora amenazada", "--date", "2024-03-12").returncode == 0
    before = _digests(db)
    out = tmp_path / "out.txt"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for lang, words in (
            ("en", f"Cannot read a passphrase from file descriptor {fd}."),
            ("es", f"No se puede leer una frase de contraseña del descriptor de archivo {fd}."),
        ):
            done = _whrd(db, "--passphrase-fd", str(fd), "encrypt", pass_fds=(fd,), lang=lang)
            assert (done.returncode, done.stderr) == (4, f"Error: {words}\n")
    finally:
        os.close(fd)
    assert _digests(db) == before
    assert not db.with_name(db.name + ".key.age").exists()


# -- 2. the Spanish help of a command group lists its subcommands in Spanish ------------------------


@pytest.mark.parametrize(
    ("group", "english", "spanish"),
    [
        ("recipients", "List the age public keys", "Lista las claves públicas age"),
        ("remote", "Add a remote", "Agrega un remoto"),
        ("config", "Show every key", "Muestra cada clave"),
    ],
)
def test_the_spanish_help_of_a_group_lists_its_commands_in_spanish(
    run: Run, group: str, english: str, spanish: str
) -> None:
    english_help = run(group, "--help").stdout
    assert english in english_help and spanish not in english_help
    spanish_help = run(group, "--help", env=ES).stdout
    assert spanish in spanish_help, spanish_help
    assert english not in spanish_help, spanish_help


# -- 3. the editor form: a byte-order mark, a field given twice -------------------------------------


def test_a_form_saved_with_a_byte_order_mark_is_read(run: Run, tmp_path: Path, db: Path) -> None:
    """Notepad and some editors configured for Windows save UTF-8 with a BOM before `Title:`."""
    step = "'\\ufeff' + t.replace('Title: ', 'Title: Water defenders').replace('Date: ', 'Date: 2024-03-12')"
    result = run("add", "--editor", env=fake_editor(tmp_path, [step]))
    assert result.exit_code == 0, result.stderr
    assert run.json("show", "1")["title"] == "Water defenders"
    assert drafts(db) == []


def test_a_field_given_twice_in_the_form_is_refused_not_half_kept(run: Run, tmp_path: Path, db: Path) -> None:
    step = (
        "t.replace('Title: ', 'Title: First title\\nTitle: Second title')"
        ".replace('Date: ', 'Date: 2024-03-12')"
    )
    result = run("add", "--editor", env=fake_editor(tmp_path, [step]))
    assert result.exit_code == 1
    assert "Line 7 of the form: Title is given twice; keep one of them." in result.stderr
    assert "First title" not in result.stderr and "Second title" not in result.stderr
    assert not db.exists()
    [draft] = drafts(db)
    assert "Second title" in draft.read_text(encoding="utf-8")

    step_es = (
        "t.replace('Título: ', 'Título: Uno\\nFecha: 2024-03-12\\nFecha: 2024-03-13')"
        ".replace('Fecha: \\n', '')"
    )
    (tmp_path / "es").mkdir()
    result = run("add", "--editor", env={**fake_editor(tmp_path / "es", [step_es]), **ES})
    assert result.exit_code == 1
    assert "Línea 8 del formulario: Fecha está dos veces; deje solo una." in result.stderr


# -- 4. a weekday that is not the date's own is a slip, never dropped -------------------------------


@pytest.mark.parametrize(
    ("text", "english", "spanish"),
    [
        (
            "Monday 12 March 2024",
            "The date 'Monday 12 March 2024' names a Monday, but 2024-03-12 is a Tuesday; check the day.",
            "La fecha 'Monday 12 March 2024' dice lunes, pero el 2024-03-12 es martes; revise el día.",
        ),
        (
            "lunes 12 de marzo de 2024",
            "The date 'lunes 12 de marzo de 2024' names a Monday, but 2024-03-12 is a Tuesday; "
            "check the day.",
            "La fecha 'lunes 12 de marzo de 2024' dice lunes, pero el 2024-03-12 es martes; revise el día.",
        ),
        (
            "Sáb, 12/03/2024",
            "The date 'Sáb, 12/03/2024' names a Saturday, but 2024-03-12 is a Tuesday; check the day.",
            "La fecha 'Sáb, 12/03/2024' dice sábado, pero el 2024-03-12 es martes; revise el día.",
        ),
    ],
)
def test_a_weekday_that_contradicts_the_date_is_refused(
    run: Run, db: Path, text: str, english: str, spanish: str
) -> None:
    run.ok("add", "--title", "First", "--date", "2024-03-01")
    before = _digests(db)
    for env, message in ((None, english), (ES, spanish)):
        result = run("add", "--title", "Amenazas contra defensora", "--date", text, env=env)
        assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
        listed = run("list", "--since", text, env=env)
        assert (listed.exit_code, listed.stderr) == (1, f"Error: {message}\n")
    assert _digests(db) == before


@pytest.mark.parametrize(
    "text", ["Tuesday 12 March 2024", "martes 12 de marzo de 2024", "Tue 12 Mar 2024", "Mié, 13/03/2024"]
)
def test_a_weekday_that_agrees_with_the_date_is_still_read(run: Run, text: str) -> None:
    run.ok("add", "--title", "Amenazas contra defensora", "--date", text)
    assert run.json("list")[0]["date"] in ("2024-03-12", "2024-03-13")


def test_a_listing_date_line_with_the_wrong_weekday_names_file_and_line(
    run: Run, db: Path, tmp_path: Path
) -> None:
    listing = tmp_path / "listing.txt"
    listing.write_text(
        "NOTICIAS / Taller de autocuidado en Belice\n\nResumen del taller.\n\nlunes 12 de marzo de 2024\n",
        encoding="utf-8",
    )
    result = run("import", str(listing), env=ES)
    assert result.exit_code == 1
    assert "línea 5" in result.stderr and "dice lunes, pero el 2024-03-12 es martes" in result.stderr
    assert not db.exists()


# -- 5. an argument is named in the usage line, in either language, never by its type word ---------


@pytest.mark.parametrize(
    ("command", "english", "spanish"),
    [
        (
            ("recipients", "add"),
            "whrd recipients add [OPTIONS] {KEY}",
            "whrd recipients add [OPCIONES] {CLAVE}",
        ),
        (
            ("recipients", "remove"),
            "whrd recipients remove [OPTIONS] {KEY}",
            "whrd recipients remove [OPCIONES] {CLAVE}",
        ),
        (("help",), "whrd help [OPTIONS] [COMMAND...]", "whrd help [OPCIONES] [COMANDO...]"),
    ],
)
def test_an_argument_is_named_in_the_usage_line(
    run: Run, command: tuple[str, ...], english: str, spanish: str
) -> None:
    assert run(*command, "--help").stdout.splitlines()[0] == f"Usage: {english}"
    spanish_help = run(*command, "--help", env=ES).stdout
    assert spanish_help.splitlines()[0] == f"Uso: {spanish}"
    assert "<texto>" not in spanish_help


def test_the_recipients_commands_speak_as_every_other_command_does(run: Run) -> None:
    """A command's help says what it does (`Muestra`, `Agrega`), not an infinitive (`Permitir`)."""
    listing = run("recipients", "--help", env=ES).stdout
    for verb in ("Lista las claves", "Permite que otra clave", "Deja de cifrar"):
        assert verb in listing, listing


# -- 6. Ctrl-C during encrypt or decrypt: never ciphertext beside plain text ------------------------

AGE = b"age-encryption.org/v1"
PASS = "una frase larga y segura 123"


def _probe(tmp_path: Path) -> Path:
    """whrd, with a Ctrl-C sent to itself right after the archive itself is rewritten (before its
    backups): a fixed kill point inside the conversion."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import os, signal, sys\n"
        "from whrd_cli.crypto import convert\n"
        "real = convert._write\n"
        "def write(path, *a, **k):\n"
        "    real(path, *a, **k)\n"
        "    if not path.name.endswith(('.bak', '.1', '.2')):\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "convert._write = write\n"
        "sys.argv = ['whrd', *sys.argv[1:]]\n"
        "from whrd_cli.__main__ import main\n"
        "main()\n"
    )
    return probe


def _run_probe(probe: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_RUNTIME_DIR", "WHRD_DEBUG")}
    env.update(PYTHONPATH=str(SRC), WHRD_LANG="es")
    read, write = os.pipe()
    os.write(write, (PASS + "\n").encode())
    os.close(write)
    try:
        return subprocess.run(
            [sys.executable, str(probe), "--db", str(db), "--passphrase-fd", str(read), *args],
            capture_output=True,
            text=True,
            env=env,
            pass_fds=(read,),
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
    finally:
        os.close(read)


def _archive_with_backups(db: Path) -> None:
    assert (
        _whrd(db, "add", "--title", "Defensora amenazada en Olancho", "--date", "2024-03-12").returncode == 0
    )
    for n in range(3):  # three edits: .bak, .bak.1, .bak.2
        assert _whrd(db, "edit", "1", "--add-tag", f"t{n}").returncode == 0
    assert _whrd(db, "search", "defensora").returncode == 0  # the plain index beside it


def test_ctrl_c_during_encrypt_leaves_no_plain_text_beside_the_ciphertext(tmp_path: Path) -> None:
    db = tmp_path / "archive.json"
    _archive_with_backups(db)
    files = [db, *(db.with_name(db.name + s) for s in (".bak", ".bak.1", ".bak.2"))]
    assert all(f.exists() for f in files) and db.with_name(db.name + ".search.sqlite").exists()
    done = _run_probe(_probe(tmp_path), db, "encrypt")
    assert "Traceback" not in done.stderr
    # whatever the exit, every copy of the archive is ciphertext and the plain index is gone
    assert [f.read_bytes()[: len(AGE)] == AGE for f in files] == [True] * 4, done.stderr
    assert not db.with_name(db.name + ".search.sqlite").exists(), done.stderr
    listed = _whrd(db, "--passphrase-fd", "0", "list")
    assert listed.returncode == 4  # locked, and no passphrase on stdin: nothing read in plain


def _encrypt(db: Path) -> None:
    """`whrd encrypt` of `db`, its passphrase given on a pipe (`--passphrase-fd`)."""
    read, write = os.pipe()
    os.write(write, (PASS + "\n").encode())
    os.close(write)
    try:
        assert _whrd(db, "--passphrase-fd", str(read), "encrypt", pass_fds=(read,)).returncode == 0
    finally:
        os.close(read)


def test_ctrl_c_during_decrypt_leaves_no_archive_half_plain(tmp_path: Path) -> None:
    db = tmp_path / "archive.json"
    _archive_with_backups(db)
    _encrypt(db)
    files = [db, *(db.with_name(db.name + s) for s in (".bak", ".bak.1", ".bak.2"))]
    done = _run_probe(_probe(tmp_path), db, "decrypt", "--yes")
    assert "Traceback" not in done.stderr
    assert [f.read_bytes()[: len(AGE)] == AGE for f in files] == [False] * 4, done.stderr
    assert not db.with_name(db.name + ".key.age").exists()


def test_doctor_names_plain_text_left_beside_an_encrypted_archive(tmp_path: Path) -> None:
    """An `encrypt` killed (not interrupted: SIGKILL, a power cut) after the archive and before its
    backups leaves plain backups and the plain index: doctor says so, exit 1, never 'no problems'."""
    db = tmp_path / "archive.json"
    _archive_with_backups(db)
    plain_backup = db.with_name(db.name + ".bak.2").read_bytes()
    plain_index = db.with_name(db.name + ".search.sqlite").read_bytes()
    _encrypt(db)
    db.with_name(db.name + ".bak.2").write_bytes(plain_backup)  # what the killed encrypt left
    db.with_name(db.name + ".search.sqlite").write_bytes(plain_index)
    for lang, words in (
        ("en", ("holds plain text beside the encrypted archive", "problem")),
        ("es", ("contiene texto plano junto al archivo de boletines cifrado", "problema")),
    ):
        read, write = os.pipe()
        os.write(write, (PASS + "\n").encode())
        os.close(write)
        try:
            done = _whrd(db, "--passphrase-fd", str(read), "doctor", pass_fds=(read,), lang=lang)
        finally:
            os.close(read)
        assert done.returncode == 1, (done.stdout, done.stderr)
        lines = [line for line in done.stdout.splitlines() if words[0] in line]
        assert len(lines) == 2 and all(line.startswith(words[1]) for line in lines), done.stdout
        assert any(".bak.2" in line for line in lines) and any(".search.sqlite" in line for line in lines)


def test_ctrl_c_during_a_purge_leaves_the_text_in_no_file(tmp_path: Path) -> None:
    """A Ctrl-C right after the purged archive is written, before the index is rebuilt: the old
    index (SQLite keeps deleted rows in free pages) must not keep the text a purge removes."""
    db = tmp_path / "archive.json"
    secret = "Zenaida Quispe"
    assert _whrd(db, "add", "--title", f"Amenazas contra {secret}", "--date", "2024-03-12").returncode == 0
    for n in range(3):
        assert _whrd(db, "edit", "1", "--add-tag", f"t{n}").returncode == 0
    assert _whrd(db, "search", "Zenaida").returncode == 0
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import os, signal, sys\n"
        "from whrd_cli.storage import atomic\n"
        "real = atomic.write_atomic\n"
        "def write(path, *a, **k):\n"
        "    done = real(path, *a, **k)\n"
        f"    if str(path) == {str(db)!r}:\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return done\n"
        "atomic.write_atomic = write\n"
        "sys.argv = ['whrd', *sys.argv[1:]]\n"
        "from whrd_cli.__main__ import main\n"
        "main()\n"
    )
    done = _run_probe(probe, db, "delete", "1", "--purge", "--yes")
    assert "Traceback" not in done.stderr
    holding = [p.name for p in tmp_path.iterdir() if p.is_file() and secret.encode() in p.read_bytes()]
    assert holding == [], (holding, done.stderr)


# -- 7. an export never lands on a file whrd keeps beside the archive ------------------------------


@pytest.mark.parametrize(
    "suffix", [".key.age", ".search.sqlite", ".search.sqlite-journal", ".draft-ab12cd34.txt"]
)
def test_export_force_never_overwrites_a_file_whrd_keeps(run: Run, db: Path, suffix: str) -> None:
    """`-o archive.json.key.age --force` (a slip of tab completion) overwrote the identity file:
    an encrypted archive with no recovery key was lost for good."""
    run.ok("add", "--title", "Defensora amenazada", "--date", "2024-03-12")
    kept = db.with_name(db.name + suffix)
    kept.write_bytes(b"age-encryption.org/v1\nwhat whrd keeps here\n")
    before = _digests(db) | {kept.name: hashlib.sha256(kept.read_bytes()).hexdigest()}
    for env, words in (
        (None, "is the archive or a file whrd keeps beside it; whrd will not overwrite it with an export."),
        (ES, "es el archivo de boletines o un archivo que whrd guarda junto a él; whrd no lo sobrescribirá"),
    ):
        result = run("export", "-o", str(kept), "--force", env=env)
        assert result.exit_code == 1 and words in result.stderr, result.stderr
        assert result.stderr.count("Error: ") == 1 and "Traceback" not in result.stderr
    assert _digests(db) | {kept.name: hashlib.sha256(kept.read_bytes()).hexdigest()} == before


# -- 8. a region offered for a typo is named in the interface's language ----------------------------


def test_a_region_suggested_for_a_typo_is_named_in_the_interface_language(run: Run) -> None:
    english = run("list", "-c", "Centro America")
    assert english.exit_code == 1
    assert "Did you mean: Central America, Mesoamerica?" in english.stderr, english.stderr
    spanish = run("list", "-c", "Centro America", env=ES)
    assert spanish.exit_code == 1
    assert "¿Quiso decir: Centroamérica, Mesoamérica?" in spanish.stderr, spanish.stderr
    assert "Central America" not in spanish.stderr


def test_every_region_has_a_name_in_both_languages() -> None:
    from whrd_cli.countries import _REGION_NAMES, REGIONS

    assert set(_REGION_NAMES) == set(REGIONS)


def test_decrypt_counts_its_backups_in_grammar(tmp_path: Path) -> None:
    db = tmp_path / "archive.json"
    assert (
        _whrd(db, "add", "--title", "Defensora amenazada en Olancho", "--date", "2024-03-12").returncode == 0
    )
    assert _whrd(db, "edit", "1", "--add-tag", "t").returncode == 0  # one backup
    for lang, words in (
        ("es", "está ahora en texto plano (1 copia de respaldo descifrada)"),
        ("en", "is plain text now (1 backup decrypted)"),
    ):
        assert _with_passphrase(db, "encrypt").returncode == 0
        done = _with_passphrase(db, "decrypt", "--yes", lang=lang)
        assert done.returncode == 0 and words in done.stderr, done.stderr


def _with_passphrase(db: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    read, write = os.pipe()
    os.write(write, (PASS + "\n").encode())
    os.close(write)
    try:
        return _whrd(db, "--passphrase-fd", str(read), *args, pass_fds=(read,), lang=lang)
    finally:
        os.close(read)


# -- 9. the system's reason for a failure is said in the interface's language ----------------------


def test_an_editor_that_is_not_installed_is_said_in_spanish(run: Run, tmp_path: Path, db: Path) -> None:
    missing = str(tmp_path / "no-such-editor")
    result = run("add", "--editor", env={"EDITOR": missing, "VISUAL": "", **ES})
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: No se puede ejecutar el editor {missing!r}: No existe el archivo o la carpeta.\n"
    )
    assert not db.exists() and drafts(db) == []


@pytest.mark.parametrize(
    ("text", "spanish"),
    [
        (
            'title,date\n"a"b,2024-01-01\n',
            "q.csv, línea 2: no es CSV válido (hay texto después de las comillas que cierran una celda",
        ),
        (
            'title;date\n"abierta;2024-01-01\n',
            "q.csv, línea 2: no es CSV válido (una celda entre comillas nunca se cierra)",
        ),
    ],
)
def test_a_broken_csv_is_explained_in_spanish(
    run: Run, db: Path, tmp_path: Path, text: str, spanish: str
) -> None:
    (tmp_path / "q.csv").write_text(text, encoding="utf-8")
    os.chdir(tmp_path)
    result = run("import", "q.csv", env=ES)
    assert result.exit_code == 1 and spanish in result.stderr, result.stderr
    english = run("import", "q.csv")
    assert english.exit_code == 1 and "not valid CSV (" in english.stderr
    assert not db.exists()


@pytest.mark.parametrize(
    ("body", "spanish"),
    [
        (
            "{{ bulletins[0].title | nosuchfilter }}\n",
            "no hay ningún filtro llamado 'nosuchfilter' (el README enumera los nombres que puede usar una "
            "plantilla).",
        ),
        ("{{ 1 / 0 }}\n", "línea 1: división por cero."),
    ],
)
def test_a_template_mistake_is_explained_in_spanish(
    run: Run, tmp_path: Path, body: str, spanish: str
) -> None:
    run.ok("add", "--title", "Defensora amenazada", "--date", "2024-03-12")
    template = tmp_path / "t.md.j2"
    template.write_text(body, encoding="utf-8")
    result = run("export", "--template", str(template), "-o", "-", env=ES)
    assert result.exit_code == 1 and spanish in result.stderr, result.stderr
    assert result.stdout == ""


# -- 10. a purge names the editor drafts that may still hold the purged text ------------------------


def test_a_purge_names_the_kept_drafts_that_may_hold_the_text(run: Run, tmp_path: Path, db: Path) -> None:
    """A draft kept after a failed edit holds the bulletin's text (its private note too): a purge
    cannot know whose draft it is, so it names each one rather than say nothing."""
    run.ok(
        "add", "--title", "Amenazas contra Zenaida Quispe", "--date", "2024-03-12", "--private", "casa 4471"
    )
    step = "t.replace('Date: 2024-03-12', 'Date: 31 February 2024')"
    assert run("edit", "1", env=fake_editor(tmp_path, [step])).exit_code == 1
    [draft] = drafts(db)
    assert b"4471" in draft.read_bytes()
    run.ok("add", "--title", "Otro boletín", "--date", "2024-03-13")
    for bulletin, env, words in (
        ("1", None, "Editor drafts beside the archive may still hold the text; read and remove them: "),
        ("2", ES, "Los borradores del editor junto al archivo de boletines pueden contener aún el texto; "),
    ):
        result = run("delete", bulletin, "--purge", "--yes", env=env)
        assert result.exit_code == 0 and words in result.stderr and str(draft) in result.stderr, result.stderr
    assert draft.exists()  # named, never removed: it may be someone's unsaved work
