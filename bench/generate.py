"""Seeded, deterministic synthetic bulletins for the benchmark, and archives built from them.

    python bench/generate.py --sizes 1000,10000,100000      # corpora + archives in bench/corpora/

A corpus is JSONL, one bulletin per line, with the fields `whrd list --json --private` prints
(without `id`, `added`, `updated`): English and Spanish bulletins from Mesoamerican countries,
five categories, summaries of 40-90 words, dates over 15 years (2010-2024), tags, and some urls,
sources and private notes. The same seed and size always give the same bytes, and a corpus of
size N is the first N lines of any larger one.

Word frequencies are shaped like a network's writing (version 2): a few content words are in most
bulletins of their language (`COMMON`: defensoras, comunidad, territorio, derechos / defenders,
community, territory, rights, each in 50-80 %), proper names abound, and a long tail of village
and company names follows a Zipf law (the `RARE_WORD` is in well under 1 % of the bulletins).
`document_frequencies` counts, beside each corpus, how many bulletins hold each benchmark word.

Each archive is built through whrd's own import (`whrd --db ARCHIVE import CORPUS`) when the
installed whrd has an `import` command; otherwise through `whrd_cli.store.Archive.add_many`
(the same store code, one write), and the build says so. An archive is rebuilt when the corpus,
whrd's source or the build method changes (a fingerprint is kept beside it).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from whrd_cli.dates import MONTHS_EN, MONTHS_ES

GENERATOR_VERSION = 2  # bump when the output of `bulletins()` changes
DEFAULT_SEED = 8
SIZES = (1_000, 10_000, 100_000)
BENCH = Path(__file__).resolve().parent
CORPORA = BENCH / "corpora"
FIRST_DAY = date(2010, 1, 1)
LAST_DAY = date(2024, 12, 31)

# -- vocabulary ---------------------------------------------------------------------------------
# Fictional people and organisations; real places. Weights roughly follow where a Mesoamerican
# network's bulletins come from.

COUNTRIES: dict[str, dict[str, Any]] = {
    "MX": {
        "en": "Mexico",
        "es": "México",
        "weight": 20,
        "places": [
            "Oaxaca",
            "Chiapas",
            "Guerrero",
            "Michoacán",
            "Chihuahua",
            "Ciudad de México",
            "Puebla",
            "Veracruz",
            "Sonora",
            "Tabasco",
            "Yucatán",
            "San Cristóbal de las Casas",
        ],
    },
    "GT": {
        "en": "Guatemala",
        "es": "Guatemala",
        "weight": 18,
        "places": [
            "Huehuetenango",
            "Alta Verapaz",
            "Quiché",
            "Petén",
            "Izabal",
            "Sololá",
            "San Marcos",
            "Totonicapán",
            "Jalapa",
            "Chiquimula",
            "Cobán",
            "Quetzaltenango",
        ],
    },
    "HN": {
        "en": "Honduras",
        "es": "Honduras",
        "weight": 18,
        "places": [
            "Tegucigalpa",
            "San Pedro Sula",
            "Olancho",
            "La Ceiba",
            "Intibucá",
            "Atlántida",
            "Colón",
            "Bajo Aguán",
            "La Esperanza",
            "Choluteca",
            "Santa Bárbara",
            "Gracias a Dios",
        ],
    },
    "SV": {
        "en": "El Salvador",
        "es": "El Salvador",
        "weight": 11,
        "places": [
            "San Salvador",
            "Cabañas",
            "Chalatenango",
            "Morazán",
            "Santa Ana",
            "Usulután",
            "La Libertad",
            "Soyapango",
        ],
    },
    "NI": {
        "en": "Nicaragua",
        "es": "Nicaragua",
        "weight": 12,
        "places": ["Managua", "Matagalpa", "Bilwi", "Jinotega", "León", "Masaya", "Estelí", "Bluefields"],
    },
    "CR": {
        "en": "Costa Rica",
        "es": "Costa Rica",
        "weight": 6,
        "places": ["Guanacaste", "Puntarenas", "Talamanca", "Limón", "Salitre", "Buenos Aires de Puntarenas"],
    },
    "PA": {
        "en": "Panama",
        "es": "Panamá",
        "weight": 6,
        "places": ["Comarca Ngäbe-Buglé", "Colón", "Bocas del Toro", "Darién", "Veraguas", "Chiriquí"],
    },
    "BZ": {
        "en": "Belize",
        "es": "Belice",
        "weight": 3,
        "places": ["Toledo", "Belmopan", "Stann Creek", "Orange Walk"],
    },
}
_CODES = list(COUNTRIES)
_CODE_WEIGHTS = [COUNTRIES[c]["weight"] for c in _CODES]

CATEGORIES = ("news", "alert", "open-letter", "statement", "report")
_CATEGORY_WEIGHTS = (30, 35, 10, 17, 8)

FIRST_NAMES = [
    "María",
    "Lucía",
    "Rosa Elvira",
    "Juana",
    "Itzel",
    "Xiomara",
    "Ana Lucía",
    "Miriam",
    "Lesbia",
    "Sandra",
    "Francisca",
    "Josefina",
    "Dalila",
    "Carmen",
    "Tomasa",
    "Guadalupe",
    "Marisol",
    "Yolanda",
    "Reina",
    "Olga",
    "Nidia",
    "Aurelia",
    "Bertilda",
    "Concepción",
    "Sonia",
    "Marta Julia",
    "Irma",
    "Gladys",
    "Teresa",
    "Felipa",
    "Ixchel",
    "Nayeli",
    "Xóchitl",
    "Dominga",
    "Magdalena",
    "Ofelia",
]
SURNAMES = [
    "López",
    "Xol",
    "Tzul",
    "Pérez",
    "Ramírez",
    "Hernández",
    "Morales",
    "Chávez",
    "Gómez",
    "Cruz",
    "Flores",
    "Méndez",
    "Castillo",
    "Ixcoy",
    "Baquiax",
    "Tum",
    "Caal",
    "Martínez",
    "Ortiz",
    "Guzmán",
    "Núñez",
    "Sánchez",
    "Aguilar",
    "Cuxil",
    "Velásquez",
    "Zelaya",
    "Mejía",
    "Bonilla",
    "Pú",
    "Choc",
]
ORGS_EN = [
    "the Women's Land Council",
    "the Rural Women's Network",
    "the Lenca Women's Movement",
    "the Coalition of Water Defenders",
    "the Feminist Collective for Life",
    "the Indigenous Women's Assembly",
    "the Network of Community Journalists",
    "the Garífuna Women's Committee",
    "the Mothers' Search Brigade",
    "the Women Defenders' Protection Fund",
]
ORGS_ES = [
    "el Consejo de Mujeres por la Tierra",
    "la Red de Mujeres Rurales",
    "el Movimiento de Mujeres Lencas",
    "la Coordinadora de Defensoras del Agua",
    "la Colectiva Feminista por la Vida",
    "la Asamblea de Mujeres Indígenas",
    "la Red de Comunicadoras Comunitarias",
    "el Comité de Mujeres Garífunas",
    "la Brigada de Madres Buscadoras",
    "el Fondo de Protección para Defensoras",
]

# Each language: roles, collective subjects, topics (title-sized) and causes; sentence templates use
# {name} {role} {place} {country} {org} {group} {topic} {cause} {n} {year} {month}.
LANG: dict[str, dict[str, list[str]]] = {
    "en": {
        "role": [
            "land defender",
            "water defender",
            "community journalist",
            "Indigenous leader",
            "environmental defender",
            "feminist organiser",
            "lawyer",
            "midwife and healer",
            "union leader",
            "Garífuna defender",
            "LGBTI rights defender",
            "community radio host",
        ],
        "group": [
            "women defenders",
            "Indigenous women",
            "water protectors",
            "rural women",
            "community journalists",
            "mothers searching for the disappeared",
            "Garífuna women",
            "land defenders",
            "feminist organisations",
            "young women organisers",
        ],
        "topic": [
            "a mining concession",
            "a hydroelectric dam",
            "the eviction of a community",
            "the palm oil plantations",
            "a logging permit",
            "the new security law",
            "the closure of shelters for women",
            "the criminalisation of protest",
            "a wind farm on communal land",
            "the gold mine",
            "the water privatisation plan",
            "forced displacement",
            "the highway through the forest",
        ],
        "cause": [
            "mining",
            "logging",
            "water",
            "land",
            "territory",
            "feminicide",
            "freedom of expression",
            "sexual and reproductive rights",
            "migration",
            "self-care",
            "collective protection",
            "communal land titles",
            "the rivers",
            "seeds and food sovereignty",
        ],
    },
    "es": {
        "role": [
            "defensora del territorio",
            "defensora del agua",
            "comunicadora comunitaria",
            "lideresa indígena",
            "defensora ambiental",
            "organizadora feminista",
            "abogada",
            "partera y curandera",
            "sindicalista",
            "defensora garífuna",
            "defensora de derechos LGBTI",
            "locutora de radio comunitaria",
        ],
        "group": [
            "defensoras",
            "mujeres indígenas",
            "defensoras del agua",
            "mujeres rurales",
            "comunicadoras comunitarias",
            "madres buscadoras",
            "mujeres garífunas",
            "defensoras del territorio",
            "organizaciones feministas",
            "jóvenes organizadoras",
        ],
        "topic": [
            "una concesión minera",
            "una represa hidroeléctrica",
            "el desalojo de una comunidad",
            "las plantaciones de palma africana",
            "un permiso de tala",
            "la nueva ley de seguridad",
            "el cierre de casas refugio",
            "la criminalización de la protesta",
            "un parque eólico en tierras comunales",
            "la mina de oro",
            "el plan de privatización del agua",
            "el desplazamiento forzado",
            "la carretera que atraviesa el bosque",
        ],
        "cause": [
            "la minería",
            "la tala",
            "el agua",
            "la tierra",
            "el territorio",
            "los feminicidios",
            "la libertad de expresión",
            "los derechos sexuales y reproductivos",
            "la migración",
            "el autocuidado",
            "la protección colectiva",
            "los títulos de tierra comunal",
            "los ríos",
            "las semillas y la soberanía alimentaria",
        ],
    },
}

TITLES: dict[str, dict[str, list[str]]] = {
    "en": {
        "alert": [
            "Death threats against {role} {name} in {place}",
            "{Role} {name} detained after a protest in {place}",
            "Smear campaign targets {group} in {place}",
            "Raid on the office of {org} in {place}",
            "{Role} {name} attacked on her way home in {place}",
            "Surveillance and harassment of {name}, {role} in {place}",
            "Arrest warrant against {name} for opposing {topic}",
            "{Role} {name} missing in {place} since {month}",
        ],
        "news": [
            "{Org} marks {n} years of work in {place}",
            "Community radio in {place} returns to the air",
            "Women defenders from {country} meet in {place} to share protection strategies",
            "Court in {place} rules in favour of {group}",
            "{Name} receives a protection award for her work on {cause}",
            "Healing gathering for {group} held in {place}",
            "New school for {group} opens in {place}",
        ],
        "open-letter": [
            "Open letter to the authorities of {country} on {topic}",
            "Open letter: protect {name} and her family in {place}",
            "Letter to the Congress of {country} about {cause}",
            "Open letter from {group} of {place} to the President of {country}",
        ],
        "statement": [
            "Statement on the criminalisation of {group} in {country}",
            "We reject {topic} in {place}",
            "Statement of solidarity with {name} and {org}",
            "Network statement on {cause} in {country}",
            "{Group} of {place} demand justice",
        ],
        "report": [
            "Report: {n} attacks on women defenders in {country} in {year}",
            "Report on {topic} and its impact on {group}",
            "Annual report on {cause} in {country}, {year}",
            "Report: protection measures for {group} in {country} fall short",
        ],
    },
    "es": {
        "alert": [
            "Amenazas de muerte contra la {role} {name} en {place}",
            "Detienen a la {role} {name} tras una protesta en {place}",
            "Campaña de desprestigio contra {group} en {place}",
            "Allanan la oficina de {org} en {place}",
            "Agreden a la {role} {name} en {place}",
            "Vigilancia y hostigamiento contra {name}, {role} en {place}",
            "Orden de captura contra {name} por oponerse a {topic}",
            "Desaparece la {role} {name} en {place} desde {month}",
        ],
        "news": [
            "{Org} cumple {n} años de trabajo en {place}",
            "La radio comunitaria de {place} vuelve al aire",
            "Defensoras de {country} se reúnen en {place} para compartir estrategias de protección",
            "Tribunal de {place} falla a favor de {group}",
            "{Name} recibe un reconocimiento por su trabajo sobre {cause}",
            "Encuentro de sanación para {group} en {place}",
            "Abre una nueva escuela para {group} en {place}",
        ],
        "open-letter": [
            "Carta abierta a las autoridades de {country} sobre {topic}",
            "Carta abierta: protejan a {name} y a su familia en {place}",
            "Carta al Congreso de {country} sobre {cause}",
            "Carta abierta de {group} de {place} a la Presidencia de {country}",
        ],
        "statement": [
            "Pronunciamiento ante la criminalización de {group} en {country}",
            "Rechazamos {topic} en {place}",
            "Pronunciamiento de solidaridad con {name} y {org}",
            "Pronunciamiento de la Red sobre {cause} en {country}",
            "{Group} de {place} exigen justicia",
        ],
        "report": [
            "Informe: {n} agresiones contra defensoras en {country} en {year}",
            "Informe sobre {topic} y su impacto en {group}",
            "Informe anual sobre {cause} en {country}, {year}",
            "Informe: las medidas de protección para {group} en {country} son insuficientes",
        ],
    },
}

SENTENCES: dict[str, dict[str, Any]] = {
    "en": {
        "open": {
            "alert": [
                "The network warns of repeated threats against {name}, a {role} who has opposed {topic} "
                "in {place}.",
                "On {day} {month}, {name}, a {role} from {place}, was followed by armed men after a "
                "community assembly against {topic}.",
                "{Org} reports that {group} in {place} have faced harassment, surveillance and smear "
                "campaigns since the arrival of {topic}.",
            ],
            "news": [
                "{Group} from {place} gathered for {n} days to share their experience of defending {cause} "
                "and to strengthen their networks of protection.",
                "After {n} years of work, {org} celebrated with music, food and a community assembly in "
                "{place}.",
                "{Name}, a {role} from {place}, tells us how {group} organised to defend {cause}.",
            ],
            "open-letter": [
                "This open letter is addressed to the authorities of {country} about {topic} and the risks "
                "it brings for {group}.",
                "We, {group} of {place}, write to the President and the Congress of {country} to demand "
                "protection for {name}.",
            ],
            "statement": [
                "In {country}, {group} continue to defend {cause} despite threats, criminalisation and the "
                "absence of the State.",
                "The network rejects {topic} in {place} and the campaign against {group} that came with it.",
            ],
            "report": [
                "Our report documents {n} attacks against women human rights defenders in {country} during "
                "{year}, most of them linked to {cause}.",
                "This report gathers the testimonies of {n} {group} from {place} about {topic}.",
            ],
        },
        "middle": [
            "The threats began after she denounced {topic} before the public prosecutor.",
            "Neighbours say that private security guards of the company entered the community at night.",
            "Her family has received anonymous messages and her house has been photographed several times.",
            "The local police refused to register the complaint and told her to stop organising.",
            "Community radio stations have been the main source of information for the villages of {place}.",
            "The women organised a protection network with shifts, whistles and a phone tree.",
            "Mining and logging companies have expanded across the territory without free, prior and "
            "informed consent.",
            "The criminalisation of defenders in {country} follows a pattern of false charges and long "
            "pre-trial detention.",
            "Indigenous women carry the heaviest burden, caring for their families while defending the "
            "rivers and the land.",
            "The network accompanied {name} to the hearing and documented every irregularity.",
            "Self-care and collective healing are part of our political strategy, not a luxury.",
            "Since {year}, at least {n} defenders from {place} have had to leave their homes.",
            "The evictions were carried out without a court order and with excessive use of force.",
            "Journalists who covered the protest were also threatened and their equipment was seized.",
        ],
        "close": [
            "We call on the authorities to provide protective measures agreed with her and her organisation.",
            "We demand a prompt, independent investigation and guarantees for her life and integrity.",
            "We ask the international community to stay alert and to share this bulletin.",
            "The network stands in solidarity with {name} and with every woman who defends {cause}.",
            "We will continue to document every attack until there is justice.",
            "Defending the territory is not a crime.",
            "We hold the State of {country} responsible for anything that may happen to her.",
        ],
    },
    "es": {
        "open": {
            "alert": [
                "La Red denuncia las amenazas de muerte contra {name}, {role} que se ha opuesto a {topic} "
                "en {place}.",
                "El {day} de {month}, {name}, {role} de {place}, fue seguida por hombres armados después de "
                "una asamblea comunitaria contra {topic}.",
                "{Org} informa que {group} de {place} han sufrido hostigamiento, vigilancia y campañas de "
                "desprestigio desde la llegada de {topic}.",
            ],
            "news": [
                "{Group} de {place} se reunieron durante {n} días para compartir su experiencia en la "
                "defensa de {cause} y fortalecer sus redes de protección.",
                "Después de {n} años de trabajo, {org} celebró con música, comida y una asamblea comunitaria "
                "en {place}.",
                "{Name}, {role} de {place}, nos cuenta cómo se organizaron {group} para defender {cause}.",
            ],
            "open-letter": [
                "Esta carta abierta se dirige a las autoridades de {country} sobre {topic} y los riesgos que "
                "implica para {group}.",
                "Nosotras, {group} de {place}, escribimos a la Presidencia y al Congreso de {country} para "
                "exigir protección para {name}.",
            ],
            "statement": [
                "En {country}, {group} siguen defendiendo {cause} a pesar de las amenazas, la "
                "criminalización y la ausencia del Estado.",
                "La Red rechaza {topic} en {place} y la campaña contra {group} que llegó con ella.",
            ],
            "report": [
                "Nuestro informe documenta {n} agresiones contra defensoras de derechos humanos en "
                "{country} durante {year}, la mayoría vinculadas con {cause}.",
                "Este informe reúne los testimonios de {n} {group} de {place} sobre {topic}.",
            ],
        },
        "middle": [
            "Las amenazas comenzaron después de que denunció {topic} ante el Ministerio Público.",
            "Vecinas y vecinos cuentan que la seguridad privada de la empresa entró a la comunidad de noche.",
            "Su familia ha recibido mensajes anónimos y su casa ha sido fotografiada en varias ocasiones.",
            "La policía local se negó a registrar la denuncia y le dijo que dejara de organizarse.",
            "Las radios comunitarias han sido la principal fuente de información para las aldeas de {place}.",
            "Las mujeres organizaron una red de protección con turnos, silbatos y una cadena telefónica.",
            "Las empresas mineras y madereras se han extendido por el territorio sin consulta previa, libre "
            "e informada.",
            "La criminalización de defensoras en {country} sigue un patrón de acusaciones falsas y prisión "
            "preventiva prolongada.",
            "Las mujeres indígenas cargan con el peso mayor: cuidan a sus familias mientras defienden los "
            "ríos y la tierra.",
            "La Red acompañó a {name} a la audiencia y documentó cada irregularidad.",
            "El autocuidado y la sanación colectiva son parte de nuestra estrategia política, no un lujo.",
            "Desde {year}, al menos {n} defensoras de {place} han tenido que abandonar sus hogares.",
            "Los desalojos se realizaron sin orden judicial y con uso excesivo de la fuerza.",
            "Las periodistas que cubrieron la protesta también fueron amenazadas y les quitaron su equipo.",
        ],
        "close": [
            "Exigimos al Estado garantizar su vida e integridad y medidas de protección acordadas con ella.",
            "Exigimos una investigación pronta e independiente y garantías para su vida e integridad.",
            "Pedimos a la comunidad internacional mantenerse alerta y difundir este boletín.",
            "La Red se solidariza con {name} y con todas las mujeres que defienden {cause}.",
            "Seguiremos documentando cada agresión hasta que haya justicia.",
            "Defender el territorio no es un delito.",
            "Responsabilizamos al Estado de {country} de cualquier cosa que pueda sucederle.",
        ],
    },
}

# The month names whrd itself writes and reads.
MONTHS = {"en": list(MONTHS_EN), "es": list(MONTHS_ES)}

TAGS_COMMON = {
    "en": [
        "WHRDs",
        "WomenWhoInspireUs",
        "Territory",
        "Mining",
        "WaterDefenders",
        "LandRights",
        "Criminalisation",
        "IndigenousWomen",
        "Feminicide",
        "SelfCare",
        "CommunityRadio",
        "Protection",
        "Migration",
        "Journalists",
        "Garífuna",
    ],
    "es": [
        "Defensoras",
        "MujeresQueInspiran",
        "Territorio",
        "Minería",
        "DefensorasDelAgua",
        "Tierra",
        "Criminalización",
        "MujeresIndígenas",
        "Feminicidio",
        "Autocuidado",
        "RadioComunitaria",
        "Protección",
        "Migración",
        "Periodistas",
        "Garífuna",
    ],
}
TAG_BY_CATEGORY = {
    ("en", "alert"): "WHRDAlert",
    ("es", "alert"): "AlertaDefensoras",
    ("en", "report"): "Report",
    ("es", "report"): "Informe",
}
SOURCES = [
    "network bulletin",
    "boletín de la Red",
    "partner organisation",
    "organización aliada",
    "press monitoring",
    "monitoreo de prensa",
]
PRIVATE = {
    "en": [
        "Contact through the {place} coordinator only.",
        "Verified with her family; do not publish the name of the community.",
        "Follow-up call scheduled with {name}.",
        "Legal support requested from the protection fund.",
    ],
    "es": [
        "Contacto solo a través de la coordinadora de {place}.",
        "Verificado con la familia; no publicar el nombre de la comunidad.",
        "Llamada de seguimiento con {name}.",
        "Se pidió apoyo legal al fondo de protección.",
    ],
}

_NON_WORD = re.compile(r"\W+")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

# -- word frequencies (version 2) -----------------------------------------------------------------
# The words a network writes most are in most of its bulletins: each language's COMMON words get a
# sentence of their own (right after the opening, so the cut summary keeps it) when the templates
# did not already bring them, with the chance below, tuned so that each ends up in 50-80 % of the
# bulletins of its language (`tests/test_bench.py` counts it on a generated corpus).
COMMON: dict[str, dict[str, float]] = {
    "en": {"defenders": 0.5, "community": 0.36, "territory": 0.62, "rights": 0.6},
    "es": {"defensoras": 0.52, "comunidad": 0.6, "territorio": 0.56, "derechos": 0.62},
}
COMMON_SENTENCES: dict[str, dict[str, list[str]]] = {
    "en": {
        "defenders": [
            "Women defenders in {place} asked the network for accompaniment.",
            "Other defenders from {country} have faced the same pattern.",
        ],
        "community": [
            "The whole community took part in the assembly.",
            "The community decided to keep watch together.",
        ],
        "territory": [
            "They have cared for their territory for generations.",
            "The territory is their home and their livelihood.",
        ],
        "rights": [
            "Their rights are recognised in national and international law.",
            "The State must respect their rights.",
        ],
    },
    "es": {
        "defensoras": [
            "Las defensoras de {place} pidieron el acompañamiento de la Red.",
            "Otras defensoras de {country} han enfrentado el mismo patrón.",
        ],
        "comunidad": [
            "Toda la comunidad participó en la asamblea.",
            "La comunidad decidió vigilar en conjunto.",
        ],
        "territorio": [
            "Han cuidado su territorio durante generaciones.",
            "El territorio es su hogar y su sustento.",
        ],
        "derechos": [
            "Sus derechos están reconocidos en la ley nacional e internacional.",
            "El Estado debe respetar sus derechos.",
        ],
    },
}
# The long tail: villages and companies with made-up names, drawn by a Zipf law (rank r about
# 1/r as often as the first), so a few are everywhere and most are in a handful of bulletins.
TAIL_SENTENCES: dict[str, list[str]] = {
    "en": [
        "Families from the village of {village} joined the assembly.",
        "The permit was granted to the company {company} without consultation.",
        "The meeting took place in {village}, two hours from {place}.",
    ],
    "es": [
        "Familias de la aldea {village} se sumaron a la asamblea.",
        "El permiso se otorgó a la empresa {company} sin consulta.",
        "La reunión fue en {village}, a dos horas de {place}.",
    ],
}
_SYLLABLE_TEXT = (
    "ix tzu cho bal jol nek qan tul xim yax chu kab lem oxt pal ruj saq tik uch wal xob zak "
    "bej cum dol gat hun kix lox mam nab pom quj sel tzam ul vex"
)
_SYLLABLES = tuple(_SYLLABLE_TEXT.split())


def _tail_words(count: int) -> list[str]:
    """`count` made-up proper names, always the same (their own seed), none a word of the templates."""
    rng = random.Random("whrd-bench-tail")
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3))))
        if len(word) >= 5 and word not in seen:
            seen.add(word)
            words.append(word.capitalize())
    return words


TAIL = _tail_words(4000)
RARE_WORD = TAIL[150].lower()  # ~0.07-0.1 % of the bulletins: 10 at 10k, 69 at 100k (seed 8)


def _zipf(rng: random.Random) -> str:
    """A tail word, rank r drawn with probability about 1 / (r ln N)."""
    return TAIL[min(len(TAIL) - 1, int(len(TAIL) ** rng.random()) - 1)]


def _tokens(text: str) -> list[str]:
    """Folded words, as FTS5's unicode61 tokenizer sees them (accents and case removed)."""
    return _NON_WORD.sub(" ", _fold(text)).split()


def _holds(tokens: list[str], term: str) -> bool:
    """Whether a bulletin's tokens hold a word, or a phrase as consecutive words."""
    want = _tokens(term)
    if len(want) == 1:
        return want[0] in tokens
    n = len(want)
    return any(tokens[i : i + n] == want for i in range(len(tokens) - n + 1))


def document_frequencies(corpus: Path, terms: list[str]) -> dict[str, Any]:
    """How many bulletins hold each term in their title or summary (`title:word`: in the title), overall
    and per language.

    Cached beside the corpus (`….df.json`); a word is the folded token, not its stem: whrd also
    matches other endings (`defensora`), so its own match count, which run.py records, can be higher.
    """
    cache = corpus.with_name(corpus.name + ".df.json")
    known: dict[str, Any] = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    missing = [t for t in terms if t not in known.get("terms", {})]
    if missing or "bulletins" not in known:
        totals: dict[str, int] = {}
        missing = list(dict.fromkeys(missing))
        counts = {t: {"all": 0} for t in missing}
        with open(corpus, encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                lang = record["lang"]
                totals[lang] = totals.get(lang, 0) + 1
                title = _tokens(record["title"])
                tokens = [*title, *_tokens(record["summary"])]
                for term in missing:
                    scope, _, word = term.rpartition(":")  # `title:word`: in titles only
                    if _holds(title if scope == "title" else tokens, word):
                        counts[term]["all"] += 1
                        counts[term][lang] = counts[term].get(lang, 0) + 1
        known = {
            "bulletins": sum(totals.values()),
            "by_lang": totals,
            "terms": {**known.get("terms", {}), **counts},
        }
        tmp = cache.with_name(cache.name + ".tmp")
        tmp.write_text(json.dumps(known, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, cache)
    return known


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _slug(text: str) -> str:
    return "-".join(_NON_WORD.sub(" ", _fold(text)).split())[:60].strip("-")


@dataclass
class _Context:
    lang: str
    values: dict[str, str]

    def fill(self, template: str) -> str:
        def sub(match: re.Match[str]) -> str:
            key = match.group(1)
            value = self.values[key.lower()]
            return value[:1].upper() + value[1:] if key[:1].isupper() else value

        return _contract(_PLACEHOLDER.sub(sub, template), self.lang)


_CONTRACTIONS = ((" de el ", " del "), (" a el ", " al "), ("De el ", "Del "))


def _contract(text: str, lang: str) -> str:
    """Spanish contracts `de el` and `a el` (`la oficina del Movimiento`)."""
    if lang == "es":
        for long, short in _CONTRACTIONS:
            text = text.replace(long, short)
    return text


def _day_of(rng: random.Random) -> date:
    # More bulletins in recent years, as a network grows: density rises linearly over the span.
    span = (LAST_DAY - FIRST_DAY).days
    return FIRST_DAY + timedelta(days=min(span, int(span * rng.random() ** 0.7)))


def _summary(rng: random.Random, lang: str, category: str, ctx: _Context) -> tuple[str, bool]:
    """40-90 words: an opening for the category, middles, a close.

    Most listings cut the summary mid-sentence (`truncated`, shown as `[…]`); about a quarter end
    on a whole sentence within the budget.
    """
    budget = rng.randint(40, 90)
    pool = SENTENCES[lang]
    sentences = [ctx.fill(rng.choice(pool["open"][category]))]
    if rng.random() < 0.7:  # a proper name from the long tail
        sentences.append(ctx.fill(rng.choice(TAIL_SENTENCES[lang])))
    have = set(_tokens(" ".join([ctx.values["title"], *sentences])))
    for word, chance in COMMON[lang].items():
        wanted = rng.random() < chance
        if wanted and word not in have:
            sentences.append(ctx.fill(rng.choice(COMMON_SENTENCES[lang][word])))
    for middle in rng.sample(pool["middle"], k=len(pool["middle"])):
        sentences.append(ctx.fill(middle))
        if sum(len(s.split()) for s in sentences) >= budget:
            break
    whole = rng.random() < 0.25
    if whole:
        close = ctx.fill(rng.choice(pool["close"]))
        kept: list[str] = []
        for sentence in [*sentences[:-1], close]:
            if len(" ".join([*kept, sentence]).split()) > 90:
                break
            kept.append(sentence)
        if len(" ".join(kept).split()) >= 40:
            return " ".join(kept), False
    words = " ".join(sentences).split()
    return " ".join(words[:budget]).rstrip(",;:"), len(words) > budget


def _one(rng: random.Random) -> dict[str, Any]:
    lang = "es" if rng.random() < 0.5 else "en"
    category = rng.choices(CATEGORIES, weights=_CATEGORY_WEIGHTS)[0]
    n_countries = rng.choices((1, 2, 3), weights=(85, 10, 5))[0]
    codes: list[str] = []
    while len(codes) < n_countries:
        code = rng.choices(_CODES, weights=_CODE_WEIGHTS)[0]
        if code not in codes:
            codes.append(code)
    main = COUNTRIES[codes[0]]
    day = _day_of(rng)
    vocab = LANG[lang]
    ctx = _Context(
        lang,
        {
            "name": " ".join([rng.choice(FIRST_NAMES), *rng.sample(SURNAMES, k=rng.choice((1, 2)))]),
            "role": rng.choice(vocab["role"]),
            "group": rng.choice(vocab["group"]),
            "topic": rng.choice(vocab["topic"]),
            "cause": rng.choice(vocab["cause"]),
            "place": rng.choice(main["places"]),
            "country": main[lang],
            "org": rng.choice(ORGS_EN if lang == "en" else ORGS_ES),
            "n": str(rng.randint(2, 40)),
            "year": str(max(FIRST_DAY.year, day.year - rng.randint(0, 1))),
            "month": MONTHS[lang][rng.randrange(12)],
            "day": str(rng.randint(1, 28)),
            "village": _zipf(rng),
            "company": _zipf(rng),
        },
    )
    title = ctx.fill(rng.choice(TITLES[lang][category]))
    ctx.values["title"] = title
    summary, truncated = _summary(rng, lang, category, ctx)
    tags: list[str] = []
    special = TAG_BY_CATEGORY.get((lang, category))
    if special:
        tags.append(special)
    for tag in rng.sample(TAGS_COMMON[lang], k=rng.choices((0, 1, 2, 3), weights=(15, 40, 30, 15))[0]):
        if _fold(tag) not in {_fold(t) for t in tags}:
            tags.append(tag)
    if rng.random() < 0.15:
        tags.append(main["en"].replace(" ", ""))
    url = None
    if rng.random() < 0.7:
        url = f"https://bulletins.example.org/{lang}/{day:%Y/%m}/{_slug(title)}"
    source = rng.choice(SOURCES) if rng.random() < 0.4 else None
    private = ctx.fill(rng.choice(PRIVATE[lang])) if rng.random() < 0.08 else None
    return {
        "title": title,
        "date": day.isoformat(),
        "category": category,
        "countries": codes,
        "summary": summary,
        "truncated": truncated,
        "tags": list(dict.fromkeys(tags)),
        "lang": lang,
        "url": url,
        "source": source,
        "private": private,
    }


def bulletins(count: int, *, seed: int = DEFAULT_SEED) -> Iterator[dict[str, Any]]:
    """`count` bulletin dicts, deterministic for a seed, no two with the same dedupe key."""
    rng = random.Random(f"whrd-bench-{GENERATOR_VERSION}-{seed}")
    seen: set[tuple[str, str, str]] = set()
    made = 0
    while made < count:
        record = _one(rng)
        key = (record["date"], record["lang"], " ".join(_NON_WORD.sub(" ", _fold(record["title"])).split()))
        if key in seen:  # whrd would skip it as a duplicate; draw another
            continue
        seen.add(key)
        made += 1
        yield record


def write_corpus(path: Path, count: int, *, seed: int = DEFAULT_SEED) -> Path:
    """Write the JSONL corpus atomically (a killed run leaves no half corpus)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for record in bulletins(count, seed=seed):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return path


# -- archives -----------------------------------------------------------------------------------


def whrd_command() -> list[str]:
    """How to run the installed whrd: its console script beside this Python, else `-m whrd_cli`."""
    script = Path(sys.executable).parent / "whrd"
    if script.exists():
        return [str(script)]
    found = shutil.which("whrd")
    return [found] if found else [sys.executable, "-m", "whrd_cli"]


def has_command(name: str) -> bool:
    """Whether the installed whrd has a subcommand (its `--help` exits 0)."""
    done = subprocess.run([*whrd_command(), name, "--help"], capture_output=True, text=True, check=False)
    return done.returncode == 0


def whrd_source_digest() -> str:
    """A digest of whrd's installed source: an archive built by older code is rebuilt."""
    spec = importlib.util.find_spec("whrd_cli")
    if spec is None or not spec.submodule_search_locations:
        return "missing"
    root = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".jinja", ".html", ".md", ".css"):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def corpus_path(count: int, seed: int = DEFAULT_SEED, folder: Path = CORPORA) -> Path:
    return folder / f"corpus-{count}-s{seed}-v{GENERATOR_VERSION}.jsonl"


def ensure_corpus(count: int, seed: int = DEFAULT_SEED, folder: Path = CORPORA) -> Path:
    path = corpus_path(count, seed, folder)
    if not path.exists():
        write_corpus(path, count, seed=seed)
    return path


def import_with_store(archive: Path, corpus: Path) -> None:
    """The fallback while `whrd import` does not exist: the store's own batch add, one write."""
    from whrd_cli.model import Bulletin
    from whrd_cli.store import Archive

    with open(corpus, encoding="utf-8") as fh:
        items = [Bulletin.from_dict(json.loads(line)) for line in fh if line.strip()]
    Archive(archive).add_many(items)


@dataclass(frozen=True)
class Built:
    """An archive ready to benchmark, and how it was made."""

    archive: Path
    corpus: Path
    count: int
    method: str  # "whrd import" or "Archive.add_many (fallback: no `whrd import` yet)"
    seconds: float | None  # None when an up-to-date archive was reused


def build_archive(
    count: int, *, seed: int = DEFAULT_SEED, folder: Path = CORPORA, force: bool = False
) -> Built:
    """The corpus and its archive for `count` bulletins, rebuilt only when something changed."""
    corpus = ensure_corpus(count, seed, folder)
    use_import = has_command("import")
    method = "whrd import" if use_import else "Archive.add_many (fallback: no `whrd import` yet)"
    archive = folder / f"archive-{count}-s{seed}.json"
    stamp = archive.with_name(archive.name + ".stamp")
    fingerprint = f"{corpus.name} {method} {whrd_source_digest()}"
    if not force and archive.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return Built(archive, corpus, count, method, None)
    for stale in (archive, stamp, archive.with_name(archive.name + ".lock")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    if use_import:
        done = subprocess.run(
            [*whrd_command(), "--db", str(archive), "import", str(corpus)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(
                f"whrd import failed (exit {done.returncode}) building {archive.name}:\n{done.stderr.strip()}"
            )
    else:
        import_with_store(archive, corpus)
    seconds = time.perf_counter() - started
    stamp.write_text(fingerprint)
    return Built(archive, corpus, count, method, seconds)


def frequency_line(corpus: Path) -> str:
    """The share of each language's bulletins holding its common words, and the rare word's count."""
    terms = [*(w for words in COMMON.values() for w in words), RARE_WORD]
    df = document_frequencies(corpus, terms)
    parts = [
        f"{word} {df['terms'][word].get(lang, 0) / df['by_lang'][lang]:.0%} of {lang}"
        for lang, words in COMMON.items()
        for word in words
    ]
    return f"words: {', '.join(parts)}; {RARE_WORD} in {df['terms'][RARE_WORD]['all']} bulletins"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated sizes")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=CORPORA, help="folder for corpora and archives")
    parser.add_argument("--corpus-only", action="store_true", help="write the JSONL corpora only")
    parser.add_argument("--force", action="store_true", help="rebuild archives even if up to date")
    args = parser.parse_args(argv)
    for count in (int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()):
        if args.corpus_only:
            path = ensure_corpus(count, args.seed, args.out)
            print(f"{count:>7} bulletins: {path}\n{'':>7}  {frequency_line(path)}")
            continue
        built = build_archive(count, seed=args.seed, folder=args.out, force=args.force)
        how = f"built with {built.method} in {built.seconds:.1f} s" if built.seconds else "up to date"
        print(f"{count:>7} bulletins: {built.archive} ({built.archive.stat().st_size / 1e6:.1f} MB, {how})")
        print(f"{'':>7}  {frequency_line(built.corpus)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
