"""Word lists for the demo: stores, cities, people, reviews, notes. Plain data, no logic.

Phone numbers use the ranges ARCEP reserves for fiction (01 99 00, 02 61 91, 03 53 01,
04 65 71, 05 36 49, 06 39 98) and emails use the reserved example.* domains, so the demo
never reaches a real person.
"""

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hours(weekday: str, saturday: str, sunday: str = "") -> dict[str, str]:
    return dict.fromkeys(WEEK[:5], weekday) | {"sat": saturday, "sun": sunday}


HOURS_CITY = _hours("10:00-19:30", "09:30-19:30")
HOURS_MALL = _hours("10:00-20:00", "10:00-20:00")
HOURS_TOURIST = _hours("10:00-20:00", "10:00-20:00", "11:00-19:00")
HOURS_WAREHOUSE = _hours("06:00-22:00", "06:00-14:00")

# code, name, address, postcode, city, latitude, longitude, phone, opening hours
STORES = (
    ("paris-opera", "Paris Opéra", "38 boulevard Haussmann", "75009", "Paris",
     48.8736, 2.3321, "+33 1 99 00 10 10", HOURS_TOURIST),
    ("paris-montparnasse", "Paris Montparnasse", "22 rue du Départ", "75015", "Paris",
     48.8425, 2.3210, "+33 1 99 00 10 20", HOURS_TOURIST),
    ("lyon-part-dieu", "Lyon Part-Dieu", "17 rue du Docteur Bouchut", "69003", "Lyon",
     45.7610, 4.8560, "+33 4 65 71 10 10", HOURS_MALL),
    ("marseille-bourse", "Marseille Centre Bourse", "17 cours Belsunce", "13001", "Marseille",
     43.2980, 5.3775, "+33 4 65 71 20 10", HOURS_MALL),
    ("lille-euralille", "Lille Euralille", "100 allée de Liège", "59777", "Lille",
     50.6370, 3.0700, "+33 3 53 01 10 10", HOURS_MALL),
    ("bordeaux-catherine", "Bordeaux Sainte-Catherine", "114 rue Sainte-Catherine",
     "33000", "Bordeaux", 44.8390, -0.5735, "+33 5 36 49 10 10", HOURS_CITY),
    ("toulouse-capitole", "Toulouse Capitole", "8 rue Lafayette", "31000", "Toulouse",
     43.6050, 1.4450, "+33 5 36 49 20 10", HOURS_CITY),
    ("nantes-commerce", "Nantes Commerce", "4 place du Commerce", "44000", "Nantes",
     47.2130, -1.5590, "+33 2 61 91 10 10", HOURS_CITY),
    ("strasbourg-kleber", "Strasbourg Kléber", "22 place Kléber", "67000", "Strasbourg",
     48.5835, 7.7455, "+33 3 53 01 20 10", HOURS_CITY),
    ("nice-massena", "Nice Masséna", "30 avenue Jean Médecin", "06000", "Nice",
     43.7010, 7.2680, "+33 4 65 71 30 10", HOURS_TOURIST),
    ("rennes-republique", "Rennes République", "6 quai Duguay-Trouin", "35000", "Rennes",
     48.1095, -1.6800, "+33 2 61 91 20 10", HOURS_CITY),
    ("montpellier-comedie", "Montpellier Comédie", "4 rue de la Loge", "34000", "Montpellier",
     43.6098, 3.8790, "+33 4 65 71 40 10", HOURS_CITY),
)  # fmt: skip

# The warehouse's code doubles as the marker that the demo data is in place.
WAREHOUSE = (
    "entrepot-chesnes", "Entrepôt central Chesnes", "12 rue du Ruisseau, ZAC de Chesnes",
    "38070", "Saint-Quentin-Fallavier", 45.6420, 5.1060, "+33 4 65 71 99 00", HOURS_WAREHOUSE,
)  # fmt: skip

# More cities for benchmark-size store networks: city, postcode, latitude, longitude,
# first digit of the (fictional) phone range.
CITIES = (
    ("Paris", "75011", 48.8566, 2.3522, 1), ("Marseille", "13008", 43.2965, 5.3698, 4),
    ("Lyon", "69002", 45.7640, 4.8357, 4), ("Toulouse", "31000", 43.6047, 1.4442, 5),
    ("Nice", "06000", 43.7102, 7.2620, 4), ("Nantes", "44000", 47.2184, -1.5536, 2),
    ("Montpellier", "34000", 43.6108, 3.8767, 4), ("Strasbourg", "67000", 48.5734, 7.7521, 3),
    ("Bordeaux", "33000", 44.8378, -0.5792, 5), ("Lille", "59000", 50.6292, 3.0573, 3),
    ("Rennes", "35000", 48.1173, -1.6778, 2), ("Reims", "51100", 49.2583, 4.0317, 3),
    ("Toulon", "83000", 43.1242, 5.9280, 4), ("Saint-Étienne", "42000", 45.4397, 4.3872, 4),
    ("Le Havre", "76600", 49.4944, 0.1079, 2), ("Grenoble", "38000", 45.1885, 5.7245, 4),
    ("Dijon", "21000", 47.3220, 5.0415, 3), ("Angers", "49100", 47.4784, -0.5632, 2),
    ("Nîmes", "30000", 43.8367, 4.3601, 4), ("Villeurbanne", "69100", 45.7719, 4.8902, 4),
    ("Clermont-Ferrand", "63000", 45.7772, 3.0870, 4), ("Le Mans", "72000", 48.0061, 0.1996, 2),
    ("Aix-en-Provence", "13100", 43.5297, 5.4474, 4), ("Brest", "29200", 48.3904, -4.4861, 2),
    ("Tours", "37000", 47.3941, 0.6848, 2), ("Amiens", "80000", 49.8941, 2.2958, 3),
    ("Limoges", "87000", 45.8336, 1.2611, 5), ("Annecy", "74000", 45.8992, 6.1294, 4),
    ("Perpignan", "66000", 42.6887, 2.8948, 4), ("Metz", "57000", 49.1193, 6.1757, 3),
    ("Besançon", "25000", 47.2378, 6.0241, 3), ("Orléans", "45000", 47.9030, 1.9093, 2),
    ("Rouen", "76000", 49.4432, 1.0999, 2), ("Mulhouse", "68100", 47.7508, 7.3359, 3),
    ("Caen", "14000", 49.1829, -0.3707, 2), ("Nancy", "54000", 48.6921, 6.1844, 3),
    ("Avignon", "84000", 43.9493, 4.8055, 4), ("Poitiers", "86000", 46.5802, 0.3404, 5),
    ("La Rochelle", "17000", 46.1603, -1.1511, 5), ("Pau", "64000", 43.2951, -0.3708, 5),
    ("Bayonne", "64100", 43.4929, -1.4748, 5), ("Valence", "26000", 44.9334, 4.8924, 4),
    ("Chambéry", "73000", 45.5646, 5.9178, 4), ("Troyes", "10000", 48.2973, 4.0744, 3),
    ("Lorient", "56100", 47.7483, -3.3700, 2), ("Quimper", "29000", 47.9960, -4.1024, 2),
    ("Vannes", "56000", 47.6582, -2.7608, 2), ("Saint-Malo", "35400", 48.6493, -2.0257, 2),
    ("Calais", "62100", 50.9513, 1.8587, 3), ("Dunkerque", "59140", 51.0344, 2.3768, 3),
    ("Ajaccio", "20000", 41.9192, 8.7386, 4), ("Bastia", "20200", 42.6977, 9.4508, 4),
    ("Colmar", "68000", 48.0794, 7.3585, 3), ("Niort", "79000", 46.3237, -0.4588, 5),
    ("Angoulême", "16000", 45.6484, 0.1562, 5), ("Béziers", "34500", 43.3442, 3.2158, 4),
    ("Cannes", "06400", 43.5528, 7.0174, 4), ("Montauban", "82000", 44.0176, 1.3550, 5),
    ("Saint-Nazaire", "44600", 47.2735, -2.2138, 2), ("Versailles", "78000", 48.8049, 2.1204, 1),
)  # fmt: skip
DISTRICTS = ("Centre", "Gare", "Nord", "Sud", "Est", "Ouest")
STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue Nationale", "boulevard Victor Hugo",
    "place du Marché", "rue du Général de Gaulle", "cours Gambetta", "rue Pasteur",
    "avenue de la Libération", "rue Sainte-Anne", "quai des Arts", "rue Carnot",
)  # fmt: skip

FIRST_NAMES_F = (
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Jade", "Louise", "Alice", "Lina",
    "Sarah", "Juliette", "Zoé", "Anaïs", "Clara", "Élise", "Mathilde", "Pauline", "Marion",
    "Audrey", "Julie", "Sophie", "Nathalie", "Isabelle", "Sandrine", "Céline", "Valérie",
    "Stéphanie", "Claire", "Hélène", "Margaux", "Océane", "Maëlle", "Agathe", "Héloïse",
    "Capucine", "Noémie", "Laure", "Sylvie", "Martine", "Aurélie", "Émilie", "Charlotte",
    "Gaëlle", "Solène", "Clémence", "Yasmine", "Amina", "Fatima", "Nour",
)  # fmt: skip
FIRST_NAMES_M = (
    "Lucas", "Hugo", "Louis", "Gabriel", "Arthur", "Jules", "Raphaël", "Adam", "Léo", "Nathan",
    "Théo", "Tom", "Maxime", "Antoine", "Alexandre", "Thomas", "Nicolas", "Julien",
    "Sébastien", "Guillaume", "Romain", "Mathieu", "Pierre", "Olivier", "Philippe",
    "Christophe", "Laurent", "Stéphane", "François", "Jérôme", "Benoît", "Clément",
    "Baptiste", "Quentin", "Valentin", "Étienne", "Mehdi", "Karim", "Yanis", "Noé", "Gaël",
    "Loïc", "Cédric", "Frédéric", "Éric", "Patrick", "Thierry", "Jean-Marc", "Samuel", "Moussa",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier",
    "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin",
    "Nicolas", "Henry", "Roussel", "Mathieu", "Masson", "Marchand", "Duval", "Denis", "Dumont",
    "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly",
    "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard",
    "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard",
    "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Bourgeois",
    "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Lecomte", "Lopez", "Hubert", "Berger",
    "Carpentier", "Dupuis", "Moulin", "Deschamps", "Le Gall", "Ménard", "Hamon", "Da Silva",
    "Benali", "Haddad", "Nguyen", "Diallo", "Le Goff", "Prévost", "Lévêque", "Barthélemy",
)  # fmt: skip
# Shoppers who prefer English: visitors and expatriates.
EN_FIRST_NAMES_F = ("Emily", "Olivia", "Charlotte", "Grace", "Hannah", "Sophie", "Megan")
EN_FIRST_NAMES_M = ("James", "William", "Oliver", "Jack", "Harry", "Daniel", "Ethan")
EN_LAST_NAMES = ("Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Hughes")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

# Colours shoppers say they like; variant colours use the same words.
PALETTE = ("Noir", "Blanc", "Bleu marine", "Beige", "Gris", "Rouge", "Vert sauge", "Camel")

REVIEWS = {
    5: (
        ("Excellent achat", "Conforme à la description et livré rapidement. Je recommande."),
        ("Parfait", "Le conseiller en magasin m'a très bien orienté, aucun regret."),
        ("Au-delà de mes attentes", "Qualité au rendez-vous, on sent la différence au quotidien."),
        ("Je recommande !", "Très bon rapport qualité-prix, retiré en magasin le jour même."),
        ("Superbe", "Finitions soignées, produit agréable à utiliser tous les jours."),
    ),
    4: (
        ("Très bien", "Très bon produit, seul bémol : la notice est peu claire."),
        ("Satisfait", "Fait ce qu'on lui demande. Un peu cher, mais la qualité suit."),
        ("Bon produit", "Bonne surprise, livraison un peu longue mais bien emballé."),
        ("Content de mon achat", "Rien à redire après un mois d'utilisation."),
    ),
    3: (
        ("Correct", "Correct sans plus, je m'attendais à mieux pour ce prix."),
        ("Mitigé", "Quelques défauts de finition, mais il fait le travail."),
        ("Peut mieux faire", "Fonctionne bien, la prise en main demande du temps."),
    ),
    2: (
        ("Déçu", "Déçu par la qualité, le service client a été réactif."),
        ("Bof", "Ne correspond pas tout à fait à la photo."),
    ),
    1: (
        ("À éviter", "Tombé en panne au bout de trois semaines, échangé en magasin."),
        ("Retourné", "Produit retourné, ne convenait pas du tout."),
    ),
}
RATING_WEIGHTS = (6, 7, 12, 30, 45)  # for ratings 1..5

NOTES = (
    "Cherche un téléviseur pour son salon, budget autour de 1 500 €.",
    "Préfère être contactée par SMS plutôt que par email.",
    "Prépare un cadeau pour l'anniversaire de sa fille en mars.",
    "Chausse grand chez Nike : prendre une demi-pointure en dessous.",
    "Intéressé par les machines à café broyeur, le rappeler aux prochaines promotions.",
    "Cliente fidèle depuis l'ouverture du magasin, très sensible au conseil.",
    "A eu un souci de livraison en décembre, geste commercial accordé.",
    "Préfère être conseillé en anglais.",
    "Aime les marques françaises et le fabriqué en France.",
    "Vient souvent le samedi matin avec ses enfants.",
    "Télétravaille : cherche un casque à réduction de bruit confortable.",
    "Emménage en juin, équipement complet de la cuisine à prévoir.",
    "Hésite entre deux ordinateurs portables, a demandé une comparaison détaillée.",
    "Souhaite être prévenue dès que la veste en taille M revient en stock.",
)  # fmt: skip
PREFERENCE_NOTES = (
    "Préfère les coupes ajustées.",
    "Allergique à la laine.",
    "Achète souvent des cadeaux pour ses proches.",
    "Sensible aux produits durables et réparables.",
    "Préfère le retrait en magasin à la livraison.",
)
