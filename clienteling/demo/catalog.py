"""The demo catalogue: category tree, characteristics and product families.

A family knows the distinct products it can make (``models``, cycled when more are
asked for) and how to build one: a French name, a description, a price and typed
characteristic values in the characteristic's canonical unit, so products of one
category compare. Variants are colours, and sizes for fashion; capacity is part of a
high-tech product (it changes the price, and a price belongs to the product).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

from .words import PALETTE

# name, slug, children
CATEGORY_TREE = (
    ("High-tech", "high-tech", (
        ("TV & son", "tv-son", (
            ("Téléviseurs", "televiseurs", ()),
            ("Barres de son", "barres-de-son", ()),
            ("Casques audio", "casques-audio", ()),
        )),
        ("Informatique", "informatique", (
            ("Ordinateurs portables", "ordinateurs-portables", ()),
            ("Tablettes", "tablettes", ()),
        )),
        ("Téléphonie", "telephonie", (
            ("Smartphones", "smartphones", ()),
            ("Montres connectées", "montres-connectees", ()),
        )),
    )),
    ("Maison", "maison", (
        ("Petit électroménager", "petit-electromenager", (
            ("Machines à café", "machines-a-cafe", ()),
            ("Aspirateurs", "aspirateurs", ()),
        )),
        ("Cuisine", "cuisine", (("Casseroles et poêles", "casseroles-et-poeles", ()),)),
    )),
    ("Mode", "mode", (
        ("Femme", "mode-femme", (
            ("Vestes et manteaux", "vestes-femme", ()),
            ("Jeans", "jeans-femme", ()),
            ("Baskets", "baskets-femme", ()),
        )),
        ("Homme", "mode-homme", (
            ("Vestes et manteaux", "vestes-homme", ()),
            ("Jeans", "jeans-homme", ()),
            ("Baskets", "baskets-homme", ()),
        )),
    )),
)  # fmt: skip

# code, French name, English name, kind, canonical unit
CHARACTERISTICS = (
    ("screen_size", "Taille d'écran", "Screen size", "number", "in"),
    ("panel", "Technologie d'écran", "Display technology", "text", ""),
    ("resolution", "Définition", "Resolution", "text", ""),
    ("refresh_rate", "Fréquence de rafraîchissement", "Refresh rate", "number", "Hz"),
    ("processor", "Processeur", "Processor", "text", ""),
    ("ram", "Mémoire vive", "Memory (RAM)", "number", "GB"),
    ("storage", "Stockage", "Storage", "number", "GB"),
    ("camera", "Appareil photo principal", "Main camera", "number", "MP"),
    ("battery_life", "Autonomie", "Battery life", "number", "h"),
    ("noise_cancelling", "Réduction de bruit active", "Active noise cancelling", "boolean", ""),
    ("wireless", "Sans fil", "Wireless", "boolean", ""),
    ("power", "Puissance", "Power", "number", "W"),
    ("pressure", "Pression", "Pressure", "number", "bar"),
    ("capacity", "Capacité", "Capacity", "number", "L"),
    ("noise_level", "Niveau sonore", "Noise level", "number", "dB"),
    ("diameter", "Diamètre", "Diameter", "number", "cm"),
    ("induction", "Compatible induction", "Induction compatible", "boolean", ""),
    ("dishwasher_safe", "Passe au lave-vaisselle", "Dishwasher safe", "boolean", ""),
    ("material", "Matière", "Material", "text", ""),
    ("fit", "Coupe", "Fit", "text", ""),
    ("waterproof", "Imperméable", "Waterproof", "boolean", ""),
    ("energy_class", "Classe énergétique", "Energy class", "grade", ""),
    ("weight", "Poids", "Weight", "number", "kg"),
)


@dataclass(frozen=True, kw_only=True)
class Spec:
    name: str
    description: str
    price: int  # euro cents
    chars: dict[str, float | int | str | bool]
    colours: tuple[str, ...]
    sizes: tuple[str, ...] = ("",)


@dataclass(frozen=True, kw_only=True)
class Family:
    code: str
    category: str  # leaf category slug
    sku: str  # SKU prefix
    models: tuple[tuple, ...]  # every distinct product: (brand, ...)
    build: Callable[[random.Random, tuple], Spec]
    brands: dict[str, tuple[str, ...]]  # brand -> likely countries of origin (ISO 3166)
    gender: str = ""  # "F" / "M" for fashion
    sizes: tuple[str, ...] = ()  # fashion sizes, smallest first
    stock: int = 8  # typical units on a store shelf


def cents(euros: float) -> int:
    """A shelf price in cents: 29.99, 249.99, 1 899.99 …"""
    step = 1 if euros < 100 else 10
    return max(1, round(euros / step)) * step * 100 - 1


def _pick(rng: random.Random, options: tuple, low: int = 1, high: int = 3) -> tuple:
    return tuple(rng.sample(options, min(len(options), rng.randint(low, high))))


# --- High-tech -------------------------------------------------------------------------

TV_SERIES = {
    "Samsung": (("S90D", "OLED"), ("S95D", "OLED"), ("QN90D", "Neo QLED"), ("Q80D", "QLED"),
                ("DU8000", "LED")),
    "LG": (("C4", "OLED"), ("G4", "OLED"), ("B4", "OLED"), ("QNED86", "QNED"), ("UT80", "LED")),
    "Sony": (("Bravia 8", "OLED"), ("Bravia 9", "Mini-LED"), ("Bravia 7", "Mini-LED"),
             ("X85L", "LED")),
    "Philips": (("OLED809", "OLED"), ("OLED759", "OLED"), ("PUS8909", "LED")),
    "TCL": (("C855", "Mini-LED"), ("C805", "Mini-LED"), ("P755", "LED")),
    "Panasonic": (("Z95A", "OLED"), ("W93A", "LED")),
}  # fmt: skip
PANEL_TEXT = {
    "OLED": "Des noirs parfaits et un contraste infini, pixel par pixel.",
    "Neo QLED": "Un rétroéclairage Mini-LED pour une luminosité impressionnante.",
    "Mini-LED": "Des milliers de zones de rétroéclairage pour des noirs profonds.",
    "QLED": "Des couleurs éclatantes grâce aux boîtes quantiques, même en pleine lumière.",
    "QNED": "Des couleurs riches et fidèles, même dans une pièce lumineuse.",
    "LED": "L'essentiel de la 4K à prix doux, avec Smart TV intégrée.",
}
PANEL_PRICE = {"OLED": 30, "Neo QLED": 26, "Mini-LED": 22, "QLED": 17, "QNED": 16, "LED": 9}


def _tv(rng: random.Random, model: tuple) -> Spec:
    brand, series, panel, size = model
    premium = panel != "LED"
    resolution = "8K" if size >= 75 and rng.random() < 0.15 else "4K UHD"
    return Spec(
        name=f'Téléviseur {panel} {size}" {brand} {series}',
        description=(
            f"Téléviseur {panel} de {size} pouces ({round(size * 2.54)} cm) en {resolution}. "
            f"{PANEL_TEXT[panel]} "
            + rng.choice(
                (
                    "Compatible HDR10 et Dolby Vision.",
                    "Idéal pour le sport et le jeu vidéo.",
                    "Applications de streaming et assistant vocal intégrés.",
                )
            )
        ),
        price=cents(PANEL_PRICE[panel] * size * (0.6 + size / 100) * rng.uniform(0.92, 1.08)),
        chars={
            "screen_size": size,
            "panel": panel,
            "resolution": resolution,
            "refresh_rate": rng.choice((120, 144)) if premium else rng.choice((50, 60)),
            "energy_class": rng.choice(("F", "G") if panel == "OLED" else ("E", "F")),
            "power": round(size * rng.uniform(1.3, 1.8)),
            "weight": round(size * rng.uniform(0.26, 0.34), 1),
        },
        colours=("Noir", "Argent") if rng.random() < 0.15 else ("Noir",),
    )


SOUNDBARS = {
    "Sonos": (("Arc Ultra", 999), ("Beam (Gen 2)", 499), ("Ray", 279)),
    "Bose": (("Smart Ultra Soundbar", 899), ("Smart Soundbar", 549), ("TV Speaker", 279)),
    "Samsung": (("HW-Q990D", 1299), ("HW-Q800D", 699), ("HW-S61D", 349)),
    "Sony": (("Bravia Theatre Bar 9", 1199), ("HT-A7000", 999), ("HT-S2000", 449)),
    "JBL": (("Bar 1000", 999), ("Bar 500", 599), ("Bar 300", 399)),
    "Yamaha": (("True X Bar 50A", 599), ("SR-B40A", 399), ("SR-C20A", 199)),
}


def _soundbar(rng: random.Random, model: tuple) -> Spec:
    brand, series, price = model
    sub = price >= 500
    return Spec(
        name=f"Barre de son {brand} {series}",
        description=(
            f"Barre de son {brand} {series}"
            + (" avec caisson de basses sans fil" if sub else "")
            + ". Dialogues plus clairs et son enveloppant, se connecte en HDMI eARC."
        ),
        price=cents(price * rng.uniform(0.95, 1.05)),
        chars={
            "power": round(price * rng.uniform(0.35, 0.55)),
            "wireless": True,
            "weight": round(rng.uniform(2, 4) + (3 if sub else 0), 1),
            "energy_class": rng.choice(("A", "B", "C")),
        },
        colours=("Noir", "Blanc") if brand in ("Sonos", "Bose") else ("Noir",),
    )


HEADPHONES = {  # name, active noise cancelling, battery (h, 0: wired), price (EUR)
    "Sony": (
        ("WH-1000XM5", True, 30, 419),
        ("WH-1000XM4", True, 30, 299),
        ("WH-CH720N", True, 35, 149),
    ),
    "Bose": (("QuietComfort Ultra", True, 24, 499), ("QuietComfort SC", True, 24, 249)),
    "Sennheiser": (
        ("Momentum 4 Wireless", True, 60, 349),
        ("Accentum Plus", True, 50, 229),
        ("HD 660S2", False, 0, 599),
    ),
    "JBL": (
        ("Tour One M2", True, 50, 299),
        ("Live 770NC", True, 65, 199),
        ("Tune 720BT", False, 76, 79),
    ),
    "Apple": (("AirPods Max", True, 20, 579),),
    "Marshall": (("Monitor III A.N.C.", True, 70, 349), ("Major V", False, 100, 149)),
}  # fmt: skip


def _headphones(rng: random.Random, model: tuple) -> Spec:
    brand, series, anc, battery, price = model
    wired = battery == 0
    kind = "Casque filaire" if wired else "Casque sans fil"
    return Spec(
        name=f"{kind}{' à réduction de bruit' if anc else ''} {brand} {series}",
        description=(
            f"{kind} circum-auriculaire {brand} {series}. "
            + ("Réduction de bruit active pour le métro et l'open space. " if anc else "")
            + (f"Jusqu'à {battery} heures d'écoute." if battery else "Pour l'écoute hi-fi.")
        ),
        price=cents(price * rng.uniform(0.95, 1.05)),
        chars={
            "noise_cancelling": anc,
            "wireless": not wired,
            "weight": round(rng.uniform(0.22, 0.39), 2),
        }
        | ({"battery_life": battery} if battery else {}),
        colours=_pick(rng, ("Noir", "Argent", "Bleu marine", "Beige", "Blanc"), 1, 3),
    )


LAPTOPS = {
    "Apple": (('MacBook Air 13" M3', 13.6, "Apple M3", 18, 1.24, 1199),
              ('MacBook Air 15" M3', 15.3, "Apple M3", 18, 1.51, 1499),
              ('MacBook Pro 14" M4', 14.2, "Apple M4", 24, 1.55, 1899)),
    "Lenovo": (("ThinkPad X1 Carbon", 14.0, "Intel Core Ultra 7 155U", 15, 1.09, 1899),
               ("IdeaPad Slim 5", 14.0, "AMD Ryzen 7 8845HS", 12, 1.46, 799),
               ("Yoga Slim 7x", 14.5, "Snapdragon X Elite", 20, 1.28, 1299)),
    "Dell": (("XPS 13", 13.4, "Snapdragon X Elite", 19, 1.19, 1399),
             ("Inspiron 14", 14.0, "Intel Core 7 150U", 10, 1.54, 749)),
    "HP": (("EliteBook 840 G11", 14.0, "Intel Core Ultra 5 125U", 12, 1.39, 1399),
           ("Pavilion 15", 15.6, "Intel Core i5-1335U", 8, 1.75, 699),
           ("Spectre x360 14", 14.0, "Intel Core Ultra 7 155H", 13, 1.44, 1699)),
    "Asus": (("Zenbook 14 OLED", 14.0, "Intel Core Ultra 7 155H", 15, 1.2, 1099),
             ("Vivobook 15", 15.6, "Intel Core i5-12500H", 7, 1.7, 599),
             ("ROG Zephyrus G14", 14.0, "AMD Ryzen 9 8945HS", 10, 1.5, 2199)),
    "Acer": (("Swift Go 14", 14.0, "Intel Core Ultra 5 125H", 11, 1.32, 899),
             ("Aspire 5", 15.6, "Intel Core i5-1335U", 8, 1.78, 549)),
}  # fmt: skip
LAPTOP_CONFIGS = ((8, 256), (16, 512), (16, 1024), (32, 1024))


def _storage(gb: int) -> str:
    return f"{gb // 1024} To" if gb >= 1024 else f"{gb} Go"


def _laptop(rng: random.Random, model: tuple) -> Spec:
    brand, series, screen, cpu, battery, weight, price, (ram, storage) = model
    extra = (ram - 8) * 15 + (storage - 256) * 0.25
    kg = f"{weight:.2f}".replace(".", ",")
    colours = ("Minuit", "Lumière stellaire", "Gris sidéral", "Argent")
    return Spec(
        name=f"Ordinateur portable {brand} {series} {ram} Go / {_storage(storage)} SSD",
        description=(
            f"{series} avec processeur {cpu}, {ram} Go de mémoire vive et "
            f"{_storage(storage)} de stockage SSD. Jusqu'à {battery} heures d'autonomie "
            f"pour {kg} kg."
        ),
        price=cents((price + extra) * rng.uniform(0.96, 1.04)),
        chars={
            "screen_size": screen,
            "processor": cpu,
            "ram": ram,
            "storage": storage,
            "battery_life": battery,
            "weight": weight,
            "panel": "OLED" if "OLED" in series or rng.random() < 0.2 else "IPS",
        },
        colours=_pick(rng, colours, 2, 4)
        if brand == "Apple"
        else _pick(rng, ("Gris", "Argent"), 1, 2),
    )


TABLETS = {  # name, screen (in), RAM (GB), battery (h), weight (kg), base price (EUR)
    "Apple": (
        ('iPad Air 11" M2', 11.0, 8, 10, 0.46, 699),
        ('iPad Pro 13" M4', 13.0, 8, 10, 0.58, 1599),
        ("iPad (10e génération)", 10.9, 4, 10, 0.48, 439),
        ("iPad mini", 8.3, 8, 10, 0.29, 609),
    ),
    "Samsung": (
        ("Galaxy Tab S10+", 12.4, 12, 14, 0.57, 1099),
        ("Galaxy Tab S9 FE", 10.9, 6, 15, 0.52, 449),
        ("Galaxy Tab A9+", 11.0, 4, 13, 0.48, 239),
    ),
    "Lenovo": (("Tab P12", 12.7, 8, 10, 0.62, 379), ("Tab M11", 11.0, 4, 10, 0.47, 199)),
    "Xiaomi": (("Pad 6", 11.0, 6, 12, 0.49, 349), ("Redmi Pad SE", 11.0, 4, 11, 0.48, 179)),
}  # fmt: skip
PHONES = {  # name, screen (in), camera (MP), battery (h), weight (kg), base price (EUR)
    "Apple": (
        ("iPhone 16 Pro Max", 6.9, 48, 33, 0.227, 1479),
        ("iPhone 16 Pro", 6.3, 48, 27, 0.199, 1229),
        ("iPhone 16", 6.1, 48, 22, 0.170, 969),
        ("iPhone 15", 6.1, 48, 20, 0.171, 869),
    ),
    "Samsung": (
        ("Galaxy S24 Ultra", 6.8, 200, 30, 0.232, 1469),
        ("Galaxy S24", 6.2, 50, 29, 0.167, 899),
        ("Galaxy A55", 6.6, 50, 26, 0.213, 479),
        ("Galaxy Z Flip6", 6.7, 50, 23, 0.187, 1199),
    ),
    "Google": (
        ("Pixel 9 Pro", 6.3, 50, 24, 0.199, 1099),
        ("Pixel 9", 6.3, 50, 24, 0.198, 899),
        ("Pixel 8a", 6.1, 64, 22, 0.188, 549),
    ),
    "Xiaomi": (
        ("14T Pro", 6.7, 50, 26, 0.209, 799),
        ("Redmi Note 13 Pro", 6.67, 200, 25, 0.187, 399),
    ),
    "Fairphone": (("Fairphone 5", 6.46, 50, 22, 0.212, 699),),
    "OnePlus": (("OnePlus 12", 6.82, 50, 28, 0.220, 969), ("Nord 4", 6.74, 50, 27, 0.199, 499)),
}  # fmt: skip
PHONE_COLOURS = {
    "Apple": ("Noir", "Blanc", "Titane naturel", "Titane sable", "Outremer", "Rose"),
    "Samsung": ("Noir", "Gris", "Violet", "Jaune ambre", "Vert menthe"),
}


def _handheld(noun: str, capacities: tuple[int, ...]) -> Callable[[random.Random, tuple], Spec]:
    def build(rng: random.Random, model: tuple) -> Spec:
        brand, series, screen, x, battery, weight, price, storage = model
        steps = capacities.index(storage)
        phone = noun == "Smartphone"
        return Spec(
            name=f"{noun} {brand} {series} {_storage(storage)}",
            description=(
                f"{series}, écran de {screen} pouces, {_storage(storage)} de stockage. "
                + (f"Capteur principal de {x} Mpx, " if phone else f"{x} Go de mémoire vive, ")
                + f"jusqu'à {battery} heures d'autonomie en vidéo."
            ),
            price=cents((price + steps * (130 if phone else 120)) * rng.uniform(0.97, 1.03)),
            chars={
                "screen_size": screen,
                "storage": storage,
                ("camera" if phone else "ram"): x,
                "battery_life": battery,
                "weight": weight,
            }
            | ({"waterproof": price > 450} if phone else {}),
            colours=_pick(
                rng, PHONE_COLOURS.get(brand, ("Noir", "Bleu", "Vert sauge", "Blanc")), 2, 4
            ),
        )

    return build


WATCHES = {
    "Apple": (("Watch Series 10", (42, 46), 18, 449), ("Watch SE", (40, 44), 18, 279),
              ("Watch Ultra 2", (49,), 36, 899)),
    "Samsung": (("Galaxy Watch7", (40, 44), 40, 319), ("Galaxy Watch Ultra", (47,), 60, 699)),
    "Garmin": (("Forerunner 265", (42, 46), 312, 449), ("Fenix 8", (47, 51), 696, 999),
               ("Venu 3", (41, 45), 336, 449)),
    "Withings": (("ScanWatch 2", (38, 42), 720, 349), ("ScanWatch Light", (37,), 720, 249)),
}  # fmt: skip


def _watch(rng: random.Random, model: tuple) -> Spec:
    brand, series, case, battery, price = model
    days = battery // 24
    autonomy = f"{days} jours" if days >= 2 else f"{battery} heures"
    return Spec(
        name=f"Montre connectée {brand} {series} {case} mm",
        description=(
            f"Montre connectée {brand} {series}, boîtier de {case} mm. Suivi de l'activité, "
            f"du sommeil et du rythme cardiaque ; jusqu'à {autonomy} d'autonomie."
        ),
        price=cents((price + (case % 10 > 3) * 30) * rng.uniform(0.97, 1.03)),
        chars={
            "screen_size": round(case * 0.037, 2),
            "battery_life": battery,
            "waterproof": True,
            "weight": round(case * rng.uniform(0.0008, 0.0012), 3),
        },
        colours=_pick(rng, ("Noir", "Argent", "Or rose", "Bleu marine", "Blanc"), 2, 3),
    )


# --- Home ------------------------------------------------------------------------------

BEAN, MANUAL = "Machine à expresso broyeur", "Machine à expresso manuelle"
COFFEE = {
    "De'Longhi": (
        ("Magnifica Evo", BEAN, 499),
        ("Dinamica Plus", BEAN, 899),
        ("Dedica Style", MANUAL, 199),
    ),
    "Krups": (
        ("Evidence One", BEAN, 699),
        ("Sensation", BEAN, 399),
        ("Vertuo Pop", "Machine à café à capsules", 99),
    ),
    "Philips": (("Série 2200 LatteGo", BEAN, 449), ("Série 5400", BEAN, 749)),
    "Sage": (("Barista Express", MANUAL, 649), ("Bambino Plus", MANUAL, 449)),
    "Jura": (("E8", BEAN, 1199), ("ENA 8", BEAN, 999)),
    "Moccamaster": (("KBG Select", "Cafetière filtre", 269),),
}  # fmt: skip


def _coffee(rng: random.Random, model: tuple) -> Spec:
    brand, series, kind, price = model
    espresso = "expresso" in kind
    return Spec(
        name=f"{kind} {brand} {series}",
        description=(
            f"{kind} {brand} {series}. "
            + (
                "Mouture fraîche à chaque tasse et mousse de lait onctueuse."
                if "broyeur" in kind
                else "Un café savoureux en un geste, facile à entretenir."
            )
        ),
        price=cents(price * rng.uniform(0.95, 1.05)),
        chars={
            "power": rng.choice((1350, 1450, 1500)) if espresso else 1520,
            "capacity": round(rng.uniform(0.9, 2.0), 1) if espresso else 1.25,
            "weight": round(rng.uniform(4, 11) if espresso else 3.1, 1),
        }
        | ({"pressure": rng.choice((15, 19))} if espresso else {}),
        colours=_pick(rng, ("Noir", "Argent", "Blanc", "Rouge"), 1, 2),
    )


VACUUMS = {
    "Dyson": (
        ("V15 Detect Absolute", "balai", 749),
        ("V12 Detect Slim", "balai", 599),
        ("V8 Absolute", "balai", 399),
    ),
    "Rowenta": (
        ("X-Force Flex 15.60", "balai", 549),
        ("Silence Force", "traîneau", 299),
        ("Compact Power XXL", "traîneau", 149),
    ),
    "Miele": (
        ("Complete C3 Silence", "traîneau", 399),
        ("Boost CX1", "traîneau", 349),
        ("Triflex HX2", "balai", 499),
    ),
    "Shark": (("PowerDetect Clean & Empty", "balai", 449), ("Stratos", "balai", 399)),
    "iRobot": (("Roomba Combo j9+", "robot", 1199), ("Roomba i5", "robot", 399)),
    "Samsung": (("Bespoke Jet AI", "balai", 899), ("Jet 75", "balai", 349)),
}  # fmt: skip
VACUUM_KIND = {
    "balai": ("Aspirateur balai sans fil", 200, 0.6, 2.9),
    "traîneau": ("Aspirateur traîneau", 700, 3.5, 7.0),
    "robot": ("Aspirateur robot", 60, 0.4, 3.5),
}  # noun, power (W), capacity (L), weight (kg)


def _vacuum(rng: random.Random, model: tuple) -> Spec:
    brand, series, kind, price = model
    noun, power, capacity, weight = VACUUM_KIND[kind]
    cordless = kind != "traîneau"
    return Spec(
        name=f"{noun} {brand} {series}",
        description=(
            f"{noun} {brand} {series}. "
            + (
                "Léger et maniable, il passe du sol au plafond en un clic."
                if kind == "balai"
                else "Programmable depuis l'application, il rentre seul à sa base."
                if kind == "robot"
                else "Puissant et silencieux, idéal pour les grandes surfaces."
            )
        ),
        price=cents(price * rng.uniform(0.95, 1.05)),
        chars={
            "power": round(power * rng.uniform(0.8, 1.2)),
            "capacity": round(capacity * rng.uniform(0.8, 1.3), 1),
            "noise_level": rng.randint(62, 80),
            "weight": round(weight * rng.uniform(0.85, 1.15), 1),
            "wireless": cordless,
        }
        | ({"battery_life": round(rng.uniform(0.7, 2.5), 1)} if cordless else {}),
        colours=_pick(rng, ("Gris", "Noir", "Rouge", "Blanc"), 1, 2),
    )


ENAMELLED, NON_STICK = "Fonte émaillée", "Aluminium anti-adhésif"
COOKWARE = {  # noun, line, material, price per cm of diameter (EUR)
    "Le Creuset": (("Cocotte ronde", "Signature", ENAMELLED, 12),
                   ("Poêle", "Signature", ENAMELLED, 7)),
    "Staub": (("Cocotte ronde", "La Cocotte", ENAMELLED, 11), ("Poêle", "Staub", ENAMELLED, 6)),
    "de Buyer": (("Poêle", "Mineral B", "Acier carbone", 2),
                 ("Sauteuse", "Prima Matera", "Cuivre et inox", 7)),
    "Mauviel": (("Casserole", "M'150", "Cuivre et inox", 8),
                ("Sauteuse", "M'Cook", "Inox 18/10", 5)),
    "Cristel": (("Casserole", "Castel'Pro", "Inox 18/10", 4), ("Poêle", "Strate", NON_STICK, 3)),
    "Tefal": (("Poêle", "Ingenio Unlimited", NON_STICK, 1), ("Wok", "Unlimited", NON_STICK, 1)),
}  # fmt: skip
ENAMEL = ("Volcanique", "Cerise", "Bleu azur", "Noir mat", "Meringue", "Vert sauge")


def _cookware(rng: random.Random, model: tuple) -> Spec:
    brand, noun, line, material, grade, diameter = model
    enamel = material == "Fonte émaillée"
    pot = noun in ("Cocotte ronde", "Casserole")
    return Spec(
        name=f"{noun} {brand} {line} {diameter} cm",
        description=(
            f"{noun} {line} de {brand}, {material.lower()}, {diameter} cm. "
            + ("Fabriqué en France, " if brand != "Tefal" else "")
            + "compatible tous feux"
            + (", four compris." if material != "Aluminium anti-adhésif" else ".")
        ),
        price=cents(grade * diameter * rng.uniform(0.9, 1.1)),
        chars={
            "diameter": diameter,
            "material": material,
            "induction": material != "Cuivre et inox" or brand == "Mauviel",
            "dishwasher_safe": material in ("Inox 18/10", "Fonte émaillée"),
            "weight": round(diameter * (0.19 if enamel else 0.06) * rng.uniform(0.9, 1.1), 2),
        }
        | ({"capacity": round((diameter / 10) ** 3 * 0.28, 1)} if pot else {}),
        colours=_pick(rng, ENAMEL, 1, 3)
        if enamel
        else ("Inox" if "inox" in material.lower() else "Noir",),
    )


# --- Fashion ---------------------------------------------------------------------------

JACKETS = {  # noun, line, material
    "Aigle": (("Parka", "Escale", "Coton enduit"),
              ("Veste imperméable", "Ultra-Rain", "Polyamide recyclé")),
    "K-Way": (("Coupe-vent", "Le Vrai 3.0", "Polyamide"),
              ("Doudoune légère", "Jack", "Polyamide recyclé")),
    "Armor-Lux": (("Caban", "Marin", "Laine"), ("Ciré", "Loctudy", "Coton enduit")),
    "The North Face": (("Doudoune", "Nuptse 1996", "Nylon ripstop"),
                       ("Veste imperméable", "Mountain", "Gore-Tex")),
    "Patagonia": (("Doudoune légère", "Down Sweater", "Polyester recyclé"),
                  ("Veste polaire", "Retro-X", "Polaire recyclée")),
    "Schott": (("Blouson en cuir", "Perfecto", "Cuir de vachette"), ("Caban", "Pea Coat", "Laine")),
}  # fmt: skip
JACKET_PRICE = {"Blouson en cuir": 520, "Caban": 260, "Doudoune": 330, "Parka": 240}
WATERPROOF = ("Veste imperméable", "Parka", "Ciré", "Coupe-vent")
JEANS = {
    "Levi's": ("Slim", "Droit", "Bootcut"),
    "Le Temps des Cerises": ("Slim", "Droit", "Mom"),
    "1083": ("Droit", "Regular", "Flare"),
    "Kaporal": ("Slim", "Droit"),
    "Lee": ("Regular", "Droit", "Flare"),
    "Wrangler": ("Regular", "Bootcut"),
}
SNEAKERS = {  # line, material
    "Veja": (("V-10", "Cuir"), ("Campo", "Cuir"), ("Esplar", "Cuir"),
             ("Volley", "Toile de coton bio")),
    "Nike": (("Air Force 1", "Cuir"), ("Air Max 90", "Cuir et mesh"), ("Pegasus 41", "Mesh")),
    "Adidas": (("Stan Smith", "Cuir"), ("Samba OG", "Cuir et suède"), ("Gazelle", "Suède")),
    "New Balance": (("574", "Suède et mesh"), ("530", "Mesh"), ("327", "Suède et nylon")),
    "Le Coq Sportif": (("Arthur Ashe", "Cuir"), ("Veloce", "Suède")),
    "Asics": (("Gel-Kayano 14", "Mesh"), ("Japan S", "Cuir")),
}  # fmt: skip
SIZES = {
    ("jacket", "F"): ("XS", "S", "M", "L", "XL"),
    ("jacket", "M"): ("S", "M", "L", "XL", "XXL"),
    ("jeans", "F"): ("34", "36", "38", "40", "42", "44"),
    ("jeans", "M"): ("38", "40", "42", "44", "46", "48"),
    ("sneakers", "F"): ("36", "37", "38", "39", "40", "41"),
    ("sneakers", "M"): ("40", "41", "42", "43", "44", "45", "46"),
}
GENDER_WORD = {"F": "femme", "M": "homme"}


def _jacket(gender: str) -> Callable[[random.Random, tuple], Spec]:
    def build(rng: random.Random, model: tuple) -> Spec:
        brand, noun, line, material = model
        return Spec(
            name=f"{noun} {GENDER_WORD[gender]} {brand} {line}",
            description=f"{noun} {line} de {brand} en {material.lower()}. "
            + (
                "Coupe-pluie fiable pour la ville." if noun in WATERPROOF else "Chaude et élégante."
            ),
            price=cents(JACKET_PRICE.get(noun, 150) * rng.uniform(0.85, 1.2)),
            chars={
                "material": material,
                "waterproof": noun in WATERPROOF or material == "Gore-Tex",
                "fit": rng.choice(("Droite", "Ajustée", "Oversize")),
                "weight": round(rng.uniform(0.3, 1.6), 2),
            },
            colours=_pick(rng, PALETTE, 1, 3),
            sizes=SIZES["jacket", gender],
        )

    return build


def _jeans(gender: str) -> Callable[[random.Random, tuple], Spec]:
    def build(rng: random.Random, model: tuple) -> Spec:
        brand, cut = model
        material = rng.choice(("Coton biologique", "Denim stretch", "Coton recyclé"))
        return Spec(
            name=f"Jean {cut.lower()} {GENDER_WORD[gender]} {brand}",
            description=f"Jean coupe {cut.lower()} de {brand}, {material.lower()}. "
            + ("Tissé et confectionné en France." if brand == "1083" else "Taille normalement."),
            price=cents(rng.uniform(79, 139)),
            chars={"material": material, "fit": cut, "weight": round(rng.uniform(0.55, 0.8), 2)},
            colours=_pick(rng, ("Bleu brut", "Bleu délavé", "Noir", "Gris"), 1, 3),
            sizes=SIZES["jeans", gender],
        )

    return build


def _sneakers(gender: str) -> Callable[[random.Random, tuple], Spec]:
    def build(rng: random.Random, model: tuple) -> Spec:
        brand, line, material = model
        return Spec(
            name=f"Baskets {GENDER_WORD[gender]} {brand} {line}",
            description=f"Baskets {brand} {line} en {material.lower()}. "
            + (
                "Fabriquées au Brésil avec du coton bio et du caoutchouc d'Amazonie."
                if brand == "Veja"
                else "Un classique à porter tous les jours."
            ),
            price=cents(rng.uniform(90, 170)),
            chars={
                "material": material,
                "waterproof": False,
                "weight": round(rng.uniform(0.3, 0.45), 2),
            },
            colours=_pick(rng, ("Blanc", "Noir", "Écru", "Gris", "Bleu marine"), 1, 3),
            sizes=SIZES["sneakers", gender],
        )

    return build


def _models(table: dict, *extra: tuple) -> tuple[tuple, ...]:
    """(brand, *model fields, *extra choice) for every brand, model and extra choice."""
    return tuple(
        (brand, *(m if isinstance(m, tuple) else (m,)), *more)
        for brand, models in table.items()
        for m in models
        for more in product(*extra)
    )


ORIGINS = {  # brand -> likely countries of origin (ISO 3166)
    "Samsung": ("KR", "VN", "HU"), "LG": ("KR", "PL"), "Sony": ("JP", "MY"),
    "Philips": ("HU", "CN"), "TCL": ("CN", "PL"), "Panasonic": ("CZ", "JP"),
    "Sonos": ("CN", "MY"), "Bose": ("MX", "MY"), "JBL": ("CN",), "Yamaha": ("ID", "CN"),
    "Sennheiser": ("DE", "RO"), "Apple": ("CN", "VN"), "Marshall": ("CN",), "Lenovo": ("CN",),
    "Dell": ("CN", "TW"), "HP": ("CN",), "Asus": ("CN", "TW"), "Acer": ("CN", "TW"),
    "Xiaomi": ("CN",), "Google": ("CN", "VN"), "Fairphone": ("CN",), "OnePlus": ("CN",),
    "Garmin": ("TW",), "Withings": ("FR", "CN"), "De'Longhi": ("IT", "RO"),
    "Krups": ("FR", "CN"), "Sage": ("CN",), "Jura": ("CH", "PT"), "Moccamaster": ("NL",),
    "Dyson": ("MY", "PH"), "Rowenta": ("FR", "CN"), "Miele": ("DE",), "Shark": ("CN",),
    "iRobot": ("CN", "MY"), "Le Creuset": ("FR",), "Staub": ("FR",), "de Buyer": ("FR",),
    "Mauviel": ("FR",), "Cristel": ("FR",), "Tefal": ("FR", "CN"), "Aigle": ("CN", "TN"),
    "K-Way": ("CN", "VN"), "Armor-Lux": ("FR", "TN"), "The North Face": ("VN", "CN"),
    "Patagonia": ("VN", "LK"), "Schott": ("TN", "US"), "Levi's": ("BD", "TR", "PK"),
    "Le Temps des Cerises": ("TN", "MA"), "1083": ("FR",), "Kaporal": ("TN", "MA"),
    "Lee": ("BD", "TR"), "Wrangler": ("BD", "MX"), "Veja": ("BR",), "Nike": ("VN", "ID"),
    "Adidas": ("VN", "ID"), "New Balance": ("VN", "US", "GB"), "Le Coq Sportif": ("FR", "VN"),
    "Asics": ("VN", "ID"),
}  # fmt: skip


def _family(*, models: tuple[tuple, ...], **kw) -> Family:
    return Family(models=models, brands={model[0]: ORIGINS[model[0]] for model in models}, **kw)


def _fashion(gender: str) -> tuple[Family, ...]:
    g = GENDER_WORD[gender]
    return (
        _family(code=f"jacket-{gender}", category=f"vestes-{g}", sku=f"VE{gender}",
                models=_models(JACKETS), build=_jacket(gender), stock=4,
                sizes=SIZES["jacket", gender], gender=gender),
        _family(code=f"jeans-{gender}", category=f"jeans-{g}", sku=f"JN{gender}",
                models=_models(JEANS), build=_jeans(gender), stock=5,
                sizes=SIZES["jeans", gender], gender=gender),
        _family(code=f"sneakers-{gender}", category=f"baskets-{g}", sku=f"BK{gender}",
                models=_models(SNEAKERS), build=_sneakers(gender), stock=3,
                sizes=SIZES["sneakers", gender], gender=gender),
    )  # fmt: skip


TV_SIZES = {"OLED": (42, 48, 55, 65, 77)}  # other panels: TV_SIZES_LCD
TV_SIZES_LCD = (43, 50, 55, 65, 75, 85)
TABLET_GB, PHONE_GB = (64, 128, 256, 512), (128, 256, 512)

FAMILIES: tuple[Family, ...] = (
    _family(code="tv", category="televiseurs", sku="TV", build=_tv, stock=3,
            models=tuple((brand, name, panel, size)
                         for brand, series in TV_SERIES.items() for name, panel in series
                         for size in TV_SIZES.get(panel, TV_SIZES_LCD))),
    _family(code="soundbar", category="barres-de-son", sku="SB",
            models=_models(SOUNDBARS), build=_soundbar, stock=4),
    _family(code="headphones", category="casques-audio", sku="CA",
            models=_models(HEADPHONES), build=_headphones, stock=6),
    _family(code="laptop", category="ordinateurs-portables", sku="PC",
            models=_models(LAPTOPS, LAPTOP_CONFIGS), build=_laptop, stock=3),
    _family(code="tablet", category="tablettes", sku="TB",
            models=_models(TABLETS, TABLET_GB), build=_handheld("Tablette", TABLET_GB), stock=4),
    _family(code="phone", category="smartphones", sku="SM",
            models=_models(PHONES, PHONE_GB), build=_handheld("Smartphone", PHONE_GB), stock=5),
    _family(code="watch", category="montres-connectees", sku="MC", build=_watch, stock=4,
            models=tuple((brand, name, case, battery, price)
                         for brand, watches in WATCHES.items()
                         for name, cases, battery, price in watches for case in cases)),
    _family(code="coffee", category="machines-a-cafe", sku="CF",
            models=_models(COFFEE), build=_coffee, stock=3),
    _family(code="vacuum", category="aspirateurs", sku="AS",
            models=_models(VACUUMS), build=_vacuum, stock=3),
    _family(code="cookware", category="casseroles-et-poeles", sku="CU",
            models=_models(COOKWARE, (20, 24, 28)), build=_cookware, stock=6),
    *_fashion("F"),
    *_fashion("M"),
)  # fmt: skip
