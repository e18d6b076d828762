"""Languages: telling English from Spanish in a bulletin, and reading a language a person names.

- `detect_language`: `en`, `es`, or None when a text (often a 2-8 word title) does not tell; the
  caller then decides (`--lang`, a listing's majority, the interface's language).
- `language_code`: what `--lang` takes, a code (`es`) or a name (`español`, `castellano`, `english`).
- `language_name`: a code's name in English or Spanish, for display (pycountry's data).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Protocol

from .errors import ValidationError
from .i18n import _
from .text import fold

# -- detection ---------------------------------------------------------------------------------
# A bulletin's title is often all there is: 2-8 words, many of them names. So every word casts a
# small weighted vote and the sum decides: function words (3), words of the network's bulletins and
# everyday words (2), spelling (ñ ¿ ¡: 3, accents: 1.5; `th`, `w`, `ck`, a word that starts with
# s + consonant: English) and endings (-ción -dad -mente -ado / -tion -ing -ed -ly; Spanish words end
# in a vowel, n, r, s, l, d or z, English ones also in t, k, p, g, h, w, y...). A capitalised word
# inside the title is likely a name (Cáceres, Ciudad Juárez, Radio Progreso): its vote counts half,
# and Spanish particles inside names (Triunfo de la Cruz, La Puya) not at all. Tuned on
# tests/lang_titles.py (EN, ES) and checked on titles written after the tuning (HELD_OUT_*).

_TOKEN = re.compile(r"[^\W\d_]+")
_EN_CONTRACTION = r"(?i)[a-z]['’](?:s|t|re|ve|ll|d)\b"  # (compiled by `re` when first used)
_ENOUGH = 2.0  # the least evidence that tells (one word of the bulletins' vocabulary)
_DECISIVE = 12.0  # a lead that no later word overturns in practice: stop reading (long summaries)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EN_FUNCTION = _words(
    "the of and to in on for with against from by at an is are was were be been being has have had "
    "its it their our we they who what why how which that this these those not or will would after "
    "before under over into about without between since while during must can could should again "
    "another now still more all his her she he them us your you there here out up off than then so "
    "but as if one two three four five first second after amid despite through across toward towards "
    "among behind upon within whose where when new longer yet also just only my every each some any "
    "both because until do does did"
)
_ES_FUNCTION = _words(
    "el la los las lo de del al y e en con contra por para sin sobre desde hasta entre tras hacia "
    "ante bajo que quien quienes como cuando donde porque pero su sus nuestra nuestras nuestro "
    "nuestros una unos unas es son fue ha han hay se le les mas muy ya otra otro otras otros tres "
    "dos cuatro cinco seis siete ocho nueve diez nuevo nueva nuevos nuevas este esta estos estas ese "
    "esa esos esas todo toda todos todas o u ni cada ser estan esta sigue siguen tambien aun hoy ayer "
    "durante mientras segun nos mi mis tu tus aqui ahora siempre nunca sino aunque pues asi tan tanto "
    "cual cuales cuyo cuya sido era eran estaba tiene tienen puede pueden debe deben hace hacen"
)
# Particles of Spanish names and places (Triunfo de la Cruz): not evidence between two names.
_PARTICLES = _words("de del la las los el y e san santa")
# The vocabulary of the network's bulletins, folded (no accents), in the forms titles use.
_EN_VOCAB = _words(
    "defender defenders woman women human rights right murdered killed killing killings threat "
    "threats threatened threatens threaten detained detention arrested arrest arrests statement "
    "statements urgent letter letters open alert alerts update updates news report reports weekly "
    "monthly annual year years day days week support supports release released free freed call calls "
    "land lands water river rivers forest mining mine mines company companies community communities "
    "indigenous journalist journalists lawyer lawyers leader leaders police army government president "
    "congress court courts judge trial case prison jail jailed missing disappeared disappearance "
    "family families home house houses office offices attack attacks attacked campaign network demand "
    "demands stop protection protect measures security violence sexual people peoples young girl "
    "girls daughter mother shot dead death deaths wounded beaten raid raids eviction evicted "
    "harassment harassed smear intimidated intimidation kidnapped abducted tortured torture massacre "
    "burn burned burnt strike hunger march marches protest protests protesters protectors activist "
    "activists feminist feminists condolences thanks thank welcome meeting workshop briefing "
    "interview message health workers worker teacher teachers student students farmers peasant "
    "peasants ranchers settlers landowners dam dams oil palm gold licence license concession law laws "
    "bill code freedom press station reporter reporters host face faces grow grows rising today "
    "remember life lives exile exiled forced charged charges charge drop drops approves approved "
    "justice killers killer ruling rules public prosecutor prosecutors attorney general minister "
    "ministry authorities authority organisation organisations organization organizations group "
    "groups collective assembly regional international observers solidarity concern urgently "
    "demand sue sues sued postponed suspended revoked ignore ignores fails failed calls speak out "
    "condemn condemns denounce denounces reject rejects call appeal petition sign join action "
    "between safe unsafe hearing hearings sentence sentenced acquitted convicted guilty innocent "
    "witness witnesses ambush missing found body bodies shooting gunmen armed men unknown hitmen "
    "environmental environment defending defend defends hydroelectric project projects sacred sites "
    "floods flood contaminates contaminated pollution border eviction evictions displaced "
    "displacement threatened again spied spying surveillance smear journalists"
)
_ES_VOCAB = _words(
    "defensora defensoras defensor defensores mujer mujeres derechos derecho humanos humanas "
    "asesinada asesinadas asesinado asesinados asesinan asesinato asesinatos amenaza amenazas "
    "amenazada amenazadas amenazado amenazados amenazan detenida detenidas detenido detenidos detienen "
    "detencion captura capturan capturada comunicado comunicados urgente urgentes carta cartas abierta "
    "alerta alertas denuncia denuncias denunciamos denuncian exigimos exige exigen exigencia "
    "pronunciamiento solidaridad justicia libertad liberen liberan liberada liberado tierra tierras "
    "territorio territorios agua aguas rio rios bosque bosques mina minas minera mineras minero "
    "empresa empresas comunidad comunidades indigena indigenas pueblo pueblos periodista periodistas "
    "abogada abogadas abogado abogados lideresa lideresas lider lideres policia ejercito gobierno "
    "presidente presidenta fiscalia ministerio publico publica juez jueza juicio caso carcel presa "
    "presas preso presos desaparecida desaparecidas desaparecido desaparecidos desaparicion familia "
    "familias casa casas oficina oficinas ataque ataques atacan atacada campana red medidas "
    "proteccion seguridad violencia gente joven jovenes hija hijo madre muerte muerta muerto heridas "
    "herida herido golpean golpeada allanan allanamiento allanamientos desalojo desalojos "
    "hostigamiento acoso desprestigio secuestran secuestro secuestrada tortura masacre queman huelga "
    "hambre marcha marchan protesta protestas activista activistas feminista feministas colectiva "
    "colectivo condolencias gracias encuentro taller entrevista mensaje salud trabajadoras "
    "trabajadores maestra maestro estudiantes campesinas campesinos ganaderos colonos terratenientes "
    "represa hidroelectrica palma oro licencia concesion ley codigo prensa emisora llamado llamados "
    "llamamos apoyo apoyemos apoyamos informe informes noticias boletin resumen semanal mensual anual "
    "ano anos dia dias semana hoy nadie nada acusado acusada acusan cargos orden ordena aprueba "
    "exilio exiliada exiliadas obligada forzado forzada defender defendiendo defiende consulta "
    "reunion reunen reune sitios sagrados inunda contamina declaracion final vuelve fallar falla "
    "sigue cumple continua crece crecen voz alzan quien mato basta matar viernes sabado domingo "
    "lunes martes miercoles jueves organizacion organizaciones autoridades mecanismo desplazamiento "
    "forzado frontera embajadas fianza testigo testigos cautelares retira invaden patrulla condenan "
    "expulsan expulsa revocan suspenden destituyen posponen reprimen encarcelan intimidan golpean "
    "secuestran asesinan allanan liberan detienen capturan atacan amenazan denuncian exigen "
    "apoyo pueblo lenca garifuna garifunas xinka maya mayas lencas nota informativa actualizacion "
    "robo reportera reportero locutora locutor emboscada ambiental huelga politicas politicos"
)
# Everyday words of both languages, so that titles outside the bulletins' usual vocabulary tell too.
_EN_VOCAB |= _words(
    "murder murders murderer rape assault abuse abuses crime crimes victim victims survivor survivors "
    "farewell remembering memory tribute man men child children world country city town village "
    "state national school university church work job time way end part place name story voice voices "
    "hope fear love peace war power money market food say says said make made take taken give given "
    "go goes went come comes know see want wants need needs ask asks tell tells keep let live die dies "
    "died fight fights stand stands hold holds win wins lose lost leave leaves left meet meets begin "
    "begins return returns visit visits send sends sent speak speaks spoke write writes reach rise fall "
    "fell pay paid buy sell sale build built close closed remain remains continue continues seek seeks "
    "search searches find finds lead leads led hear heard head heads good bad big small long short high "
    "low old last next other same many much few little great own full whole true real clear strong "
    "alone alive afraid brave unjust historic key major fair sister sisters brother father grandmother "
    "political prisoner prisoners"
)
_ES_VOCAB |= _words(
    "asesino asesinos violacion violaciones agresion agresiones abuso abusos crimen crimenes victima "
    "victimas sobreviviente sobrevivientes despedida memoria homenaje recuerdo hombre hombres nina "
    "ninas nino ninos mundo pais ciudad aldea estado escuela universidad iglesia trabajo tiempo vida "
    "camino lugar nombre historia esperanza miedo amor paz guerra poder dinero mercado comida dice "
    "dicen dijo hacen hizo toma dan dio van viene vienen sabe quiere quieren queremos necesita pide "
    "piden pedimos mantiene vive viven muere mueren murio lucha luchan luchamos resiste resisten gana "
    "pierde deja dejan sale salen llega llegan visita envia habla hablan escribe sube cae paga vende "
    "compra construye abre cierra cerrada queda quedan enfrenta enfrentan busca buscan encuentra "
    "encuentran encontrada encontrado hallan hallada escucha buena bueno mala malo grande pequena "
    "larga alta baja vieja ultima ultimo proxima misma mismo muchas muchos pocas poca gran propia "
    "libre llena verdadera clara fuerte segura sola viva vivas vivos valiente injusta historica justa "
    "hermana hermanas hermano padre abuela companera companeras companero"
)
# Names the network's bulletins are full of, in either language: no evidence.
_NEUTRAL = _words(
    "honduras guatemala salvador mexico nicaragua tegucigalpa managua radio copinh ong ngo "
    "chiapas oaxaca peten izabal olancho colon cabanas atlantida lempira intibuca berta"
)


def _endings(table: str) -> tuple[tuple[str, float], ...]:
    """`"tion:2 ly:1.5"` as ((ending, weight), ...), in the order given (the first that fits counts)."""
    return tuple((ending, float(weight)) for ending, weight in (item.split(":") for item in table.split()))


_EN_ENDINGS = _endings(
    "tions:2 tion:2 ings:2 ing:2 ness:2 ment:2 ments:2 ity:2 ities:2 ful:2 ous:2 ship:2 ly:1.5 ed:1.5 ers:1"
)
_ES_ENDINGS = _endings(
    "ciones:2.5 cion:2.5 siones:2 dades:2 dad:2 mente:2 ismo:2 ados:1.5 adas:1.5 ado:1.5 ada:1.5 "
    "idos:1.5 idas:1.5 ido:1 ida:1 ando:2 iendo:2 encia:2 ancia:2 ico:1.5 ica:1.5 icos:1.5 icas:1.5 "
    "osa:1 oso:1 eras:1 eros:1 dores:1.5 doras:1.5 ores:1 ales:1 eses:1 yen:1 ean:1 amos:1.5 emos:1.5 "
    "imos:1.5"
)
_NOT_ED = _words("red sed pared usted merced")  # Spanish words that end in -ed
_EN_FINALS = frozenset("tkpghwfvbm")
_VOWELS = frozenset("aeiou")
_ACCENTED = frozenset("áéíóúü")


def _shape(word: str, lower: str) -> tuple[float, float]:
    """(English, Spanish) evidence of a word outside the vocabularies: its spelling and ending."""
    en = es = 0.0
    if "ñ" in lower:
        es += 3.0
    if any(c in _ACCENTED for c in lower):
        es += 1.5
    for ending, weight in _EN_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            if not (ending == "ed" and word in _NOT_ED):
                en += weight
            break
    for ending, weight in _ES_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            es += weight
            break
    last, before = word[-1], word[-2]
    if last in _EN_FINALS or (before not in _VOWELS and (last in "yd" or (last == "s" and before != "s"))):
        en += 1.0  # Spanish words end in a vowel, n, r, s, l, d or z, and -y -d -s after a vowel
    elif last == "o" and not word.endswith("oo"):
        es += 1.0
    elif last == "a":
        es += 0.5
    if "th" in word or "ck" in word or "w" in word or "sh" in word or "ph" in word:
        en += 1.5
    if "ee" in word or "oo" in word or "ou" in word or any(d * 2 in word for d in "stpfmdgbz"):
        en += 1.0
    if len(word) > 2 and word[0] == "s" and word[1] not in _VOWELS and word[1] != "y":
        en += 1.5  # Spanish words never start with s + consonant
    elif word.startswith("es") and len(word) > 3 and word[2] not in _VOWELS:
        es += 0.5
    return en, es


# What a word is, for the reading in `_evidence`.
_WORD_, _VOCABULARY, _SHAPE, _PARTICLE, _ARTICLE_A = range(5)


@lru_cache(maxsize=8192)
def _word(token: str) -> tuple[int, float, float]:
    """One word's kind and its (English, Spanish) evidence, wherever it stands; cached, since
    bulletins repeat their words and an import reads thousands."""
    lower = token.lower()
    word = fold(lower)
    if word in _PARTICLES:
        return _PARTICLE, 0.0, 3.0 if word in _ES_FUNCTION else 0.0
    if word in _EN_FUNCTION:
        return _WORD_, 3.0, 0.0
    if word in _ES_FUNCTION:
        return _WORD_, 0.0, 3.0
    if word == "a":
        return _ARTICLE_A, 0.0, 0.0
    if word in _EN_VOCAB:
        return _VOCABULARY, 2.0, 0.0
    if word in _ES_VOCAB:
        return _VOCABULARY, 0.0, 2.0
    if word in _NEUTRAL or len(word) < 2:
        return _WORD_, 0.0, 0.0
    return (_SHAPE, *_shape(word, lower))


def _evidence(text: str) -> tuple[float, float]:
    """(English, Spanish) evidence in `text`, read until one language leads decisively."""
    en = es = 0.0
    if "¿" in text or "¡" in text:
        es += 3.0
    if re.search(_EN_CONTRACTION, text):
        en += 2.0
    shouting = text.isupper()  # ALL CAPS: capitals say nothing about names
    in_name = False  # inside a run of capitalised words: Triunfo de la Cruz
    after_a = False  # the word before was "a"
    for i, match in enumerate(_TOKEN.finditer(text)):  # lazily: a long summary is rarely read to its end
        token = match.group()
        capital = not shouting and token[0].isupper()
        if after_a and (capital or token[0] in "aeiouáéíóúAEIOUÁÉÍÓÚ"):
            es += 1.5  # English writes "an" before a vowel and never "a" before a name: Liberen a Juana
        after_a = False
        if capital and len(token) > 1 and token.isupper():
            continue  # an acronym (COPINH, ONG): no evidence
        kind, e, s = _word(token)
        named = capital and i > 0
        if kind == _PARTICLE and (in_name or named):
            in_name = True
            continue  # part of a name: Triunfo de la Cruz, La Puya
        in_name = named or (in_name and kind == _PARTICLE)
        if named and kind in (_SHAPE, _VOCABULARY):  # likely a name (Ciudad Juárez): it says less
            e, s = e / 2, s / 2
        after_a = kind == _ARTICLE_A
        en += e
        es += s
        if abs(en - es) >= _DECISIVE:
            break
    return en, es


def detect_language(text: str) -> str | None:
    """`en`, `es`, or None when the text gives too little evidence either way (then the caller
    decides: a `--lang` option, the listing's majority, or the interface's language)."""
    en, es = _evidence(text)
    if max(en, es) < _ENOUGH or abs(en - es) < 1.0:
        return None
    return "en" if en > es else "es"


class _Recorded(Protocol):
    """What `language_note` reads of a recorded bulletin (`model.Bulletin`, without importing it)."""

    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def lang(self) -> str: ...


def language_note(bulletin: _Recorded) -> str | None:
    """What `add`/`edit` tell the person after they detected a bulletin's language and its text
    did not tell (so its language is the interface's, a default, not a finding); else None."""
    if detect_language(f"{bulletin.title}\n{bulletin.summary}") is not None:
        return None
    return _(
        "Could not tell the language of this bulletin; recorded as {lang} (use --lang to change it)."
    ).format(lang=bulletin.lang)


# What a person may write instead of a code, folded (case and accents do not matter): --lang español.
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "ingles"),
    "es": ("spanish", "espanol", "castellano"),
}
_BY_NAME = {name: code for code, names in LANGUAGE_NAMES.items() for name in names}


# A language tag with a region (BCP 47 and POSIX): es-MX, es_HN, es-419 (Latin American Spanish).
_REGION_TAG = re.compile(r"([a-z]{2})[-_](?:[a-z]{2}|\d{3})")


def language_code(value: str) -> str:
    """The ISO 639-1 code a `--lang` value means: a code (`es`, `EN`), one with a region (`es-MX`,
    `es_HN`, `es-419`), or a name of whrd's two languages in English or Spanish (`español`,
    `Spanish`, `castellano`, `inglés`).

    Raises ValidationError naming what is accepted. A blank value gives "": the commands read it
    as "detect the language"."""
    text = value.strip()
    if not text:
        return ""
    folded = fold(text)
    if folded in _BY_NAME:
        return _BY_NAME[folded]
    if len(folded) == 2 and folded.isascii() and folded.isalpha() and is_language(folded):
        return folded
    tagged = _REGION_TAG.fullmatch(folded)  # es-MX, es_HN, es-419: the language is the first part
    if tagged and is_language(tagged[1]):
        return tagged[1]
    names = ", ".join(["español", "castellano", "spanish", "inglés", "english"])
    raise ValidationError(
        _("Unknown language {value!r}: give an ISO 639-1 code such as en or es, or a name: {names}.").format(
            value=value, names=names
        ),
        field="lang",
        value=value,
    )


# The names of whrd's own two languages, as pycountry's data gives them (a test holds them to it):
# nearly every archive holds only these, and reading pycountry's 0.9 MB language file costs
# `whrd stats` ~9 ms.
_OWN_NAMES: dict[str, tuple[str, str]] = {"en": ("English", "Inglés"), "es": ("Spanish", "Español")}


def is_language(code: str) -> bool:
    """Whether `code` is an ISO 639-1 code (pycountry's data; read only for codes other than en/es)."""
    return code in _OWN_NAMES or code in _language_names()


def language_name(code: str, locale: str = "en", *, in_text: bool = False) -> str:
    """The name of an ISO 639-1 code in English or Spanish (pycountry's data); unknown codes as given.

    `in_text`: the name inside a sentence or a list, where Spanish writes it in lower case
    ("Idiomas: inglés, español"); a table cell keeps the capital ("Español")."""
    names = _OWN_NAMES.get(code) or _language_names().get(code)
    if names is None:
        return code
    if locale == "es":
        return names[1].lower() if in_text else names[1]
    return names[0]


@cache
def _language_names() -> dict[str, tuple[str, str]]:
    """alpha-2 code -> (English, Spanish), read from pycountry's files without importing it (~40 ms)."""
    import gettext
    import json

    from .countries import pycountry_dir  # one place that finds the data files

    base = pycountry_dir()
    with open(base / "databases" / "iso639-3.json", encoding="utf-8") as fh:
        entries = json.load(fh)["639-3"]
    try:
        catalogue: gettext.NullTranslations = gettext.translation(
            "iso639-3", base / "locales", languages=["es"]
        )
    except OSError:  # a trimmed install without locales: English names only
        catalogue = gettext.NullTranslations()
    es = catalogue.gettext
    return {e["alpha_2"]: (e["name"], es(e["name"])) for e in entries if "alpha_2" in e}
