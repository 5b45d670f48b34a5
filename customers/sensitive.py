"""Does a note look like special-category data (GDPR art. 9: health, religion, political
opinions, sexual life, trade-union membership, ethnic origin; and criminal records)?

A warning, not a filter: the associate rephrases or saves anyway. French and English,
accent- and case-insensitive. A term ending in ``*`` matches any word it starts
("diabet*": diabète, diabétique); others match whole words or phrases. Words that are
everyday vocabulary in a shop are left out or narrowed ("une enceinte" is a speaker:
only "elle est enceinte", "enceinte de 3 mois" count)."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

TOPICS = {
    "health": (
        _("health"),
        """malade* maladie* diabet* cancer* handicap* fauteuil_roulant grossesse
        depression depressi* hopital hospitalis* chimio* sida vih seropositi* alzheimer
        parkinson epilep* asthm* allergique* medicament* psychiatr* psycholog* therapie
        autis* malvoyant* aveugle* sourd* ordonnance* convalescen* dialyse
        sick illness* disease* diabetes diabetic disabled disabilit* wheelchair* pregnan*
        depressed hospital* chemotherapy hiv asthma allerg* epilepsy medication* therapy
        blind deaf autism autistic""",
    ),
    "religion": (
        _("religion"),
        """musulman* islam* juif juive juifs juives judaisme chretien* catholique*
        protestant* evangeli* bouddhis* hindou* religi* ramadan careme casher kasher halal
        mosquee* synagogue* athee* muslim* jewish christian* catholic* buddhis* hindu*
        kosher mosque* church* atheist*""",
    ),
    "politics": (
        _("political opinions"),
        """parti_politique opinion_politique opinions_politiques politiquement militant*
        manif manifestation* gilet_jaune* rassemblement_national
        front_national insoumis* communiste* socialiste* ecologiste* macroniste*
        political politics democrat* republican* activist* labour_party""",
    ),
    "sexuality": (
        _("sex life or sexual orientation"),
        """gay gays lesbienne* homosexu* bisexu* transgenre* lgbt* orientation_sexuelle
        sexualite lesbian* transgender* sexual_orientation sexuality""",
    ),
    "union": (
        _("trade-union membership"),
        """syndicat syndicats syndique syndiquee syndicaliste* cgt cfdt unsa
        force_ouvriere trade_union* union_member* unionist*""",
    ),
    "origin": (
        _("racial or ethnic origin"),
        """origine_ethnique couleur_de_peau ethnie* ethnic* racial""",
    ),
    "justice": (
        _("criminal record"),
        """casier_judiciaire prison condamne* criminal_record convicted""",
    ),
}

# "Enceinte" alone is a loudspeaker in a shop; pregnancy needs its verb or its months.
_PREGNANT = r"\b(?:est|suis|etait|tombee|femme|future maman)\s+enceinte\b|\benceinte\s+de\s+\d"


def fold(text: str) -> str:
    """Lower case without accents: "Diabète" -> "diabete"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _pattern(terms: str) -> re.Pattern:
    alternatives = []
    for term in terms.split():
        stem, prefix = term.rstrip("*"), term.endswith("*")
        words = r"\s+".join(re.escape(w) for w in stem.split("_"))
        alternatives.append(words + (r"\w*" if prefix else r"\b"))
    return re.compile(r"\b(?:" + "|".join(alternatives) + ")")


_PATTERNS = {key: _pattern(terms) for key, (_label, terms) in TOPICS.items()}
_PATTERNS["health"] = re.compile(_PATTERNS["health"].pattern + "|" + _PREGNANT)


def sensitive_topics(text: str) -> list[str]:
    """The labels of the special categories ``text`` seems to touch, in a fixed order."""
    folded = fold(text)
    return [str(TOPICS[key][0]) for key, pattern in _PATTERNS.items() if pattern.search(folded)]
