/**
 * What partners typically offer ACMs, one entry per sub-theme: titles, summaries and paragraphs
 * that the demo seed combines, so that each offer reads like one a real partner would write.
 */
export interface OfferIdea {
  subtheme: string;
  titles: string[];
  summaries: string[];
  /** Two or three paragraphs; the seed keeps them in order and picks one variant of each. */
  paragraphs: string[][];
  formats: string[];
  ages: [number, number][];
  venues: ('dans-l-accueil' | 'chez-le-partenaire' | 'autre-lieu')[];
  natures: string[];
  /** A place for "autre-lieu" offers. */
  elsewhere?: string;
  /** For each title, the summary (and paragraph variant) that goes with it; default: alternate. */
  match?: number[];
  regulated?: boolean;
  group?: [number, number];
}

export const offerIdeas: OfferIdea[] = [
  // ——— Culture ———
  {
    subtheme: 'lecture-ecriture',
    match: [0, 1, 1, 0],
    titles: [
      'Heure du conte et albums jeunesse',
      'Atelier d’écriture : inventer sa propre histoire',
      'Fabrique de petits livres illustrés',
      'Club lecture du mercredi',
    ],
    summaries: [
      'Des lectures à voix haute choisies avec soin, puis un temps d’échange et de jeu autour des histoires. Une porte d’entrée joyeuse vers le livre.',
      'Les enfants imaginent, écrivent et illustrent un récit collectif, jusqu’à un petit livre qu’ils emportent à la maison.',
    ],
    paragraphs: [
      [
        'Nos bibliothécaires et médiateurs du livre accueillent les enfants autour d’une sélection d’albums, de contes et de bandes dessinées adaptés à leur âge.',
        'À partir d’un album, d’un tableau ou d’un objet mystère, les enfants inventent personnages et péripéties, par petits groupes puis tous ensemble.',
      ],
      [
        'Chaque séance alterne lecture, jeux de mots et création : kamishibaï, cadavres exquis, petites formes poétiques.',
        'Les textes sont mis en page et illustrés par les enfants ; la dernière séance est une lecture publique devant les familles.',
      ],
    ],
    formats: ['atelier', 'cycle', 'rencontre'],
    ages: [
      [3, 6],
      [6, 10],
      [8, 12],
    ],
    venues: ['chez-le-partenaire', 'dans-l-accueil'],
    natures: ['accueil-groupe', 'intervention', 'pret-ressources'],
  },
  {
    subtheme: 'musique-chant',
    match: [0, 0, 0, 1],
    titles: [
      'Éveil musical et découverte des instruments',
      'Jeux musicaux et découverte du rythme',
      'Percussions corporelles et rythmes du monde',
      'Créer une chanson collective',
    ],
    summaries: [
      'Écouter, chanter, frapper des rythmes et manipuler de vrais instruments : une découverte active de la musique, sans prérequis.',
      'Un cycle pour écrire et enregistrer une chanson collective, des paroles à la mélodie, avec un musicien professionnel.',
    ],
    paragraphs: [
      [
        'Nos professeurs apportent une valise d’instruments (percussions, flûtes, ukulélés, carillons) que les enfants peuvent toucher et essayer.',
        'Les enfants travaillent la voix, le souffle et l’écoute à travers des jeux chantés, des canons et des chansons du répertoire jeunesse.',
      ],
      [
        'La progression va de l’écoute à l’improvisation : reproduire un rythme, répondre à un autre groupe, inventer un motif.',
        'Au fil des séances, le groupe compose un morceau qui sera joué lors d’une petite restitution devant les familles.',
      ],
    ],
    formats: ['atelier', 'cycle', 'seance-decouverte'],
    ages: [
      [3, 5],
      [5, 8],
      [7, 11],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'projet-commun', 'passerelle-adhesion'],
  },
  {
    subtheme: 'danse',
    match: [0, 0, 0, 1],
    titles: ['Initiation à la danse contemporaine', 'Hip-hop : premiers pas', 'Danses du monde', 'Créer une chorégraphie collective'],
    summaries: [
      'Bouger, écouter la musique et inventer des mouvements ensemble : une initiation à la danse ouverte à toutes et tous.',
      'Un cycle de danse qui mène à une courte chorégraphie présentée lors de la fête de l’accueil.',
    ],
    paragraphs: [
      [
        'Après un échauffement ludique, les enfants explorent l’espace, les appuis et les rythmes à partir de jeux d’imitation et de consignes simples.',
        'Notre danseuse intervenante fait découvrir plusieurs styles (contemporain, hip-hop, danses traditionnelles) en partant de ce que les enfants connaissent.',
      ],
      [
        'Chaque séance se termine par un moment où chacun montre une trouvaille au reste du groupe, dans la bienveillance.',
        'Les phrases chorégraphiques inventées par les enfants sont assemblées en une pièce courte, filmée pour les familles.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [4, 7],
      [6, 11],
      [9, 14],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'projet-commun'],
  },
  {
    subtheme: 'theatre-marionnettes',
    match: [0, 1, 0, 1],
    titles: [
      'Théâtre d’improvisation',
      'Fabrication de marionnettes et petit spectacle',
      'Théâtre d’objets : faire parler le quotidien',
      'Spectacle de marionnettes suivi d’un atelier',
    ],
    summaries: [
      'Jeux de scène, voix, regard et écoute : les enfants prennent confiance et apprennent à jouer ensemble.',
      'Les enfants fabriquent leur marionnette, inventent son histoire et la font vivre dans un petit castelet.',
    ],
    paragraphs: [
      [
        'Notre compagnie joue pour le jeune public depuis quinze ans et partage ses techniques avec les enfants : échauffements, jeux de statues, improvisations courtes.',
        'Avec des matériaux de récupération, chaque enfant fabrique sa marionnette (gaine, tige ou objet détourné), puis lui donne une voix et un caractère.',
      ],
      [
        'Les séances sont construites pour que chacun trouve sa place, y compris les plus timides, sans jamais forcer à monter sur scène.',
        'Le cycle se clôt par une représentation devant les autres enfants de l’accueil ou les familles.',
      ],
    ],
    formats: ['atelier', 'cycle', 'spectacle'],
    ages: [
      [4, 7],
      [6, 10],
      [8, 12],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'projet-commun', 'accueil-groupe'],
  },
  {
    subtheme: 'arts-plastiques',
    match: [0, 1, 0, 1],
    titles: [
      'Atelier peinture et collage',
      'Land art et sculptures éphémères',
      'Gravure et impression à la main',
      'Photographie : regarder son quartier autrement',
    ],
    summaries: [
      'Couleurs, matières et gestes : un atelier d’arts plastiques où chaque enfant repart avec sa création.',
      'Un cycle de création plastique autour d’un artiste ou d’un thème, avec une exposition finale.',
    ],
    paragraphs: [
      [
        'L’atelier part d’une œuvre (reproduction, album, photographie) que les enfants observent et commentent avant de se lancer.',
        'Les enfants expérimentent des techniques variées : peinture, pastels, papiers découpés, tampons et matériaux naturels.',
      ],
      [
        'Le matériel est fourni ; les enfants repartent avec leurs productions, ou les exposent à l’accueil à la fin du cycle.',
        'Une exposition des œuvres clôt le projet, avec un vernissage auquel les familles sont invitées.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [3, 6],
      [6, 11],
      [8, 14],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'projet-commun'],
  },
  {
    subtheme: 'cinema-image',
    match: [0, 1, 1, 0],
    titles: [
      'Séance de cinéma jeune public et discussion',
      'Atelier pré-cinéma : jouets optiques',
      'Tourner un court métrage d’animation',
      'Ciné-goûter du mercredi',
    ],
    summaries: [
      'Un film choisi pour l’âge des enfants, présenté par un médiateur, suivi d’un échange sur ce qu’ils ont vu et ressenti.',
      'Les enfants découvrent comment naissent les images animées et réalisent un petit film image par image.',
    ],
    paragraphs: [
      [
        'Notre salle propose une programmation jeune public labellisée ; la séance est présentée par un médiateur qui prépare les enfants à ce qu’ils vont voir.',
        'Thaumatrope, folioscope, zootrope : les enfants fabriquent des jouets optiques avant de passer à l’animation image par image avec des tablettes.',
      ],
      [
        'Après la projection, un temps d’échange permet de mettre des mots sur les émotions et de découvrir quelques secrets de fabrication.',
        'Le film réalisé est projeté sur grand écran lors d’une séance à laquelle les familles sont invitées.',
      ],
    ],
    formats: ['projection', 'atelier', 'cycle'],
    ages: [
      [3, 6],
      [6, 11],
      [10, 15],
    ],
    venues: ['chez-le-partenaire', 'dans-l-accueil'],
    natures: ['accueil-groupe', 'intervention'],
  },
  {
    subtheme: 'cirque-arts-de-la-rue',
    match: [0, 0, 1, 1],
    titles: ['Initiation aux arts du cirque', 'Jonglage et équilibre', 'Parade et arts de la rue', 'Petit cirque des mercredis'],
    summaries: [
      'Jonglage, équilibre sur boule et rola-bola, acrobaties au sol : les enfants découvrent les disciplines du cirque en toute sécurité.',
      'Un cycle qui aboutit à un numéro présenté sous forme de parade ou de petit spectacle.',
    ],
    paragraphs: [
      [
        'Nos artistes de cirque installent un parcours d’agrès adapté à l’âge des enfants et encadrent chaque atelier.',
        'Les enfants passent d’un atelier à l’autre (jonglerie, équilibre, acrobatie, clown) et choisissent peu à peu leur discipline.',
      ],
      [
        'Le cirque développe la confiance, la coopération et le goût de l’effort, dans un cadre sécurisé.',
        'Les numéros travaillés sont présentés lors d’une parade dans le quartier ou d’un petit spectacle à l’accueil.',
      ],
    ],
    formats: ['atelier', 'cycle', 'spectacle'],
    ages: [
      [4, 7],
      [6, 11],
      [9, 14],
    ],
    venues: ['chez-le-partenaire', 'dans-l-accueil'],
    natures: ['intervention', 'accueil-groupe', 'projet-commun'],
  },
  {
    subtheme: 'arts-numeriques',
    match: [0, 1, 1, 0],
    titles: [
      'Création sonore et musique électronique',
      'Dessin animé sur tablette',
      'Réalité augmentée : donner vie aux dessins',
      'Studio de création numérique',
    ],
    summaries: [
      'Les enfants détournent les outils numériques pour créer : sons, images animées, œuvres interactives.',
      'Un atelier où la tablette devient un pinceau, une caméra ou un instrument de musique.',
    ],
    paragraphs: [
      [
        'Nous venons avec des tablettes, des contrôleurs MIDI et des micros ; les enfants les prennent en main par le jeu.',
        'À partir de dessins réalisés sur papier, les enfants créent de petites animations et des œuvres interactives.',
      ],
      [
        'L’atelier aborde aussi, avec des mots simples, la place des écrans et la différence entre consommer et créer.',
        'Les créations sont réunies dans une exposition numérique consultable par les familles.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [7, 11],
      [9, 14],
      [11, 17],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'projet-commun'],
  },
  {
    subtheme: 'patrimoine',
    match: [0, 1, 0, 0],
    titles: ['Visite contée du musée', 'Enquête au cœur du quartier ancien', 'Archéologues en herbe', 'Parcours jeu dans les collections'],
    summaries: [
      'Une visite pensée pour les enfants : on observe, on touche des objets, on joue à retrouver des détails dans les œuvres.',
      'Les enfants deviennent enquêteurs pour découvrir l’histoire de leur ville à travers ses monuments et ses rues.',
    ],
    paragraphs: [
      [
        'Nos médiateurs adaptent le parcours à l’âge du groupe et alternent récits, observation et manipulation d’objets de la malle pédagogique.',
        'Munis d’un carnet d’enquête, les enfants cherchent des indices sur les façades, les plaques et les places du quartier.',
      ],
      [
        'La visite se prolonge par un atelier de pratique (moulage, dessin d’observation, fouille reconstituée).',
        'Un livret est remis à l’accueil pour prolonger la découverte au fil des mercredis suivants.',
      ],
    ],
    formats: ['visite', 'atelier'],
    ages: [
      [4, 7],
      [6, 11],
      [8, 13],
    ],
    venues: ['chez-le-partenaire', 'autre-lieu'],
    natures: ['accueil-groupe', 'pret-ressources'],
    elsewhere: 'Départ devant l’hôtel de ville',
  },
  {
    subtheme: 'education-medias',
    match: [0, 1, 0, 1],
    titles: [
      'Petits reporters : réaliser un journal',
      'Vrai ou faux ? Démêler les informations',
      'Web radio de l’accueil',
      'Décrypter les images et la publicité',
    ],
    summaries: [
      'Les enfants découvrent comment se fabrique l’information en réalisant leur propre journal ou leur émission de radio.',
      'Des jeux pour apprendre à repérer une fausse information, questionner une image et vérifier une source.',
    ],
    paragraphs: [
      [
        'Un journaliste ou un animateur média accompagne les enfants : choisir un sujet, interviewer, écrire, mettre en page.',
        'À partir d’exemples adaptés à leur âge, les enfants jouent à trier le vrai du faux et découvrent les réflexes de vérification.',
      ],
      [
        'Le journal ou l’émission réalisés sont diffusés aux familles et peuvent être publiés sur le site de la commune.',
        'La démarche s’inscrit dans l’éducation aux médias et à l’information, en lien avec ce que les enfants vivent à l’école.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [8, 11],
      [9, 13],
      [11, 15],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'projet-commun'],
  },
  {
    subtheme: 'arts-du-gout',
    match: [0, 0, 0, 1],
    titles: ['Atelier cuisine des saisons', 'Pain, beurre et confiture à la ferme', 'Goûter des cinq sens', 'Cuisine du monde'],
    summaries: [
      'Sentir, goûter, comparer : les enfants éveillent leurs sens et cuisinent une recette simple avec des produits de saison.',
      'Des recettes du monde entier pour voyager par le goût et partager un goûter préparé ensemble.',
    ],
    paragraphs: [
      [
        'L’atelier commence par des jeux sensoriels (reconnaître une odeur, une texture, une saveur) avant de passer à la recette.',
        'Chaque enfant participe à toutes les étapes : laver, éplucher, mesurer, mélanger, et surtout goûter.',
      ],
      [
        'Les recettes respectent les allergies signalées par l’accueil ; les règles d’hygiène sont expliquées aux enfants.',
        'Les enfants repartent avec un petit carnet de recettes à refaire à la maison.',
      ],
    ],
    formats: ['atelier', 'seance-decouverte'],
    ages: [
      [4, 8],
      [6, 11],
    ],
    venues: ['chez-le-partenaire', 'dans-l-accueil'],
    natures: ['accueil-groupe', 'intervention'],
  },
  // ——— Sport ———
  {
    subtheme: 'sports-collectifs',
    titles: ['Mini-basket au gymnase', 'École de football : jeux et fair-play', 'Découverte du handball', 'Tournoi inter-accueils de sports collectifs'],
    summaries: [
      'Des jeux collectifs adaptés à l’âge pour découvrir le sport d’équipe, le respect des règles et le plaisir de jouer ensemble.',
      'Une séance encadrée par nos éducateurs diplômés, avec tout le matériel fourni.',
    ],
    paragraphs: [
      [
        'Nos éducateurs diplômés d’État proposent des situations de jeu réduites pour que chaque enfant touche souvent le ballon.',
        'La séance mêle échauffement ludique, ateliers techniques (passe, dribble, tir) et matchs à effectif réduit.',
      ],
      [
        'Le fair-play est au cœur de la séance : saluer l’adversaire, accepter l’arbitrage, encourager les partenaires.',
        'Les enfants qui le souhaitent peuvent ensuite rejoindre le club avec le Pass’Sport.',
      ],
    ],
    formats: ['seance-decouverte', 'cycle', 'evenement'],
    ages: [
      [5, 8],
      [6, 11],
      [9, 14],
    ],
    venues: ['chez-le-partenaire', 'dans-l-accueil'],
    natures: ['accueil-groupe', 'intervention', 'passerelle-adhesion'],
  },
  {
    subtheme: 'sports-de-raquette',
    match: [0, 1, 1, 0],
    titles: ['Initiation au badminton', 'Tennis : premiers échanges', 'Tennis de table', 'Raquettes en fête'],
    summaries: [
      'Découvrir les sports de raquette par des jeux d’adresse et de coopération, avec du matériel adapté à la taille des enfants.',
      'Un cycle progressif pour apprendre à échanger la balle et disputer ses premiers matchs.',
    ],
    paragraphs: [
      [
        'Le club prête raquettes, volants et balles en mousse ; les terrains sont adaptés à la taille des enfants.',
        'Les premiers exercices visent la coordination œil-main, puis les échanges à deux et les jeux en double.',
      ],
      [
        'Chaque séance se termine par des mini-matchs où tout le monde joue, quel que soit son niveau.',
        'Une rencontre amicale avec les jeunes du club clôt le cycle.',
      ],
    ],
    formats: ['seance-decouverte', 'cycle'],
    ages: [
      [6, 10],
      [8, 13],
      [11, 16],
    ],
    venues: ['chez-le-partenaire'],
    natures: ['accueil-groupe', 'passerelle-adhesion'],
  },
  {
    subtheme: 'sports-de-combat',
    match: [0, 0, 1, 0],
    titles: ['Judo : premiers pas sur le tatami', 'Judo : jeux d’opposition et respect', 'Initiation à l’escrime', 'Lutte et jeux d’opposition'],
    summaries: [
      'Des jeux d’opposition encadrés pour apprendre à tomber sans se faire mal, maîtriser sa force et respecter son partenaire.',
      'Une découverte des sports de combat dans la salle du club, avec un professeur diplômé.',
    ],
    paragraphs: [
      [
        'Sur les tatamis, les enfants apprennent d’abord à chuter, puis à déséquilibrer et immobiliser par le jeu.',
        'Le professeur transmet le code moral de la discipline : politesse, contrôle de soi, respect de l’autre.',
      ],
      [
        'Le club prête le matériel (kimonos ou tenues) pour les séances découverte.',
        'Le cycle se termine par une remise de diplômes de participation, très attendue des enfants.',
      ],
    ],
    formats: ['seance-decouverte', 'cycle'],
    ages: [
      [4, 6],
      [6, 10],
      [8, 13],
    ],
    venues: ['chez-le-partenaire', 'dans-l-accueil'],
    natures: ['accueil-groupe', 'intervention', 'passerelle-adhesion'],
  },
  {
    subtheme: 'gymnastique-expression',
    match: [0, 0, 1, 0],
    titles: ['Gym et parcours moteurs', 'Gymnastique rythmique et ruban', 'Acrosport : pyramides et équilibre', 'Trampoline et gymnastique'],
    summaries: [
      'Rouler, sauter, se suspendre, garder l’équilibre : des parcours gymniques adaptés pour gagner en confiance.',
      'Un cycle d’acrosport qui mène à un enchaînement collectif présenté aux familles.',
    ],
    paragraphs: [
      [
        'La salle spécialisée du club offre tapis, poutres basses et trampolines ; les ateliers sont adaptés à chaque âge.',
        'Les enfants construisent à plusieurs des figures d’équilibre en apprenant à parer et à se faire confiance.',
      ],
      [
        'Les consignes de sécurité sont travaillées comme un jeu, pour que chacun devienne responsable de son partenaire.',
        'Un petit enchaînement en musique est présenté lors de la dernière séance.',
      ],
    ],
    formats: ['cycle', 'seance-decouverte'],
    ages: [
      [3, 5],
      [6, 10],
      [8, 12],
    ],
    venues: ['chez-le-partenaire'],
    natures: ['accueil-groupe', 'passerelle-adhesion'],
  },
  {
    subtheme: 'athletisme',
    match: [0, 1, 0, 0],
    titles: ['Kid’s athlé : courir, sauter, lancer', 'Olympiades du mercredi', 'Initiation à l’athlétisme au stade', 'Défis athlétiques par équipes'],
    summaries: [
      'Des défis d’athlétisme en équipes mixtes où chaque performance compte pour le groupe.',
      'Une journée d’olympiades inter-accueils au stade, avec remise de médailles à tous les participants.',
    ],
    paragraphs: [
      [
        'Le programme Kid’s athlé propose des ateliers courts : course de haies basses, sauts, lancers de vortex.',
        'Les équipes tournent sur les ateliers ; les résultats sont additionnés, ce qui valorise chaque enfant.',
      ],
      [
        'Le matériel et l’encadrement sont fournis par le service des sports ; l’accueil prévoit une tenue et une gourde.',
        'L’événement se termine par une cérémonie conviviale et un goûter partagé.',
      ],
    ],
    formats: ['evenement', 'cycle', 'seance-decouverte'],
    ages: [
      [6, 9],
      [7, 11],
      [10, 14],
    ],
    venues: ['autre-lieu', 'chez-le-partenaire'],
    natures: ['evenement-commun', 'mise-a-disposition', 'accueil-groupe'],
    elsewhere: 'Stade municipal',
  },
  {
    subtheme: 'activites-aquatiques',
    match: [0, 1, 0, 0],
    titles: ['Aisance aquatique à la piscine', 'Initiation au canoë-kayak', 'Jeux d’eau et premiers mouvements de nage', 'Sauv’nage au centre aquatique'],
    summaries: [
      'Se sentir bien dans l’eau, flotter, s’immerger : un cycle pour prévenir les noyades et gagner en autonomie.',
      'Découvrir le canoë-kayak sur un plan d’eau calme, encadré par des moniteurs diplômés.',
    ],
    paragraphs: [
      [
        'Nos maîtres-nageurs proposent des jeux pour apprivoiser l’eau, sans viser la nage codifiée dès les premières séances.',
        'L’activité est réglementée : les effectifs et l’encadrement respectent les normes en vigueur, et un test d’aisance peut être demandé.',
      ],
      [
        'Une attestation d’aisance aquatique peut être délivrée à l’issue du cycle ; l’accueil prévoit maillots et bonnets.',
        'L’accueil prévoit une tenue de rechange et une autorisation parentale ; le club fournit gilets et embarcations.',
      ],
    ],
    formats: ['cycle', 'seance-decouverte'],
    ages: [
      [5, 8],
      [7, 11],
      [10, 15],
    ],
    venues: ['chez-le-partenaire', 'autre-lieu'],
    natures: ['accueil-groupe', 'mise-a-disposition'],
    elsewhere: 'Base nautique',
    regulated: true,
    group: [6, 12],
  },
  {
    subtheme: 'pleine-nature',
    match: [0, 1, 0, 0],
    titles: ['Escalade sur mur, premiers pas', 'Course d’orientation dans le parc', 'Randonnée et jeux de piste', 'VTT : maniabilité et sécurité'],
    summaries: [
      'Grimper, s’orienter, randonner : des activités de pleine nature encadrées pour découvrir son environnement autrement.',
      'Une course d’orientation ludique pour apprendre à lire une carte et coopérer en équipe.',
    ],
    paragraphs: [
      [
        'Activité réglementée : nos moniteurs diplômés encadrent des groupes réduits et fournissent baudriers, casques ou cartes.',
        'Les enfants découvrent les bases de la sécurité (nœuds, parade, repérage) avant de se lancer.',
      ],
      [
        'Les parcours sont adaptés à l’âge et se jouent en équipe, pour que chacun progresse à son rythme.',
        'Une sortie de fin de cycle en milieu naturel peut être organisée avec l’accueil.',
      ],
    ],
    formats: ['seance-decouverte', 'cycle'],
    ages: [
      [6, 10],
      [8, 12],
      [11, 16],
    ],
    venues: ['chez-le-partenaire', 'autre-lieu'],
    natures: ['accueil-groupe', 'mise-a-disposition'],
    elsewhere: 'Parc départemental, parking principal',
    regulated: true,
    group: [6, 12],
  },
  {
    subtheme: 'motricite',
    titles: ['Parcours de motricité', 'Baby sport : jeux de ballons et d’équilibre', 'Les petits explorateurs du gymnase'],
    summaries: [
      'Ramper, grimper, lancer, rouler : des parcours colorés pour développer la motricité des plus jeunes.',
      'Des jeux moteurs pensés pour les maternelles, en petits groupes, avec beaucoup de répétition et de plaisir.',
    ],
    paragraphs: [
      [
        'Nos éducateurs installent des parcours avec modules en mousse, cerceaux et ballons adaptés aux petites mains.',
        'Les séances sont courtes et rythmées, avec des histoires qui donnent du sens aux mouvements.',
      ],
      [
        'Les animateurs de l’accueil participent aux séances et peuvent reprendre les jeux les autres jours.',
        'Les ratios d’encadrement des moins de 6 ans sont respectés ; l’accueil prévoit au moins deux adultes.',
      ],
    ],
    formats: ['cycle', 'atelier'],
    ages: [
      [3, 5],
      [3, 6],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'accueil-groupe', 'formation'],
    group: [6, 12],
  },
  {
    subtheme: 'sport-adapte',
    match: [0, 1, 0],
    titles: ['Handisport : basket fauteuil et boccia', 'Sport partagé, enfants valides et en situation de handicap', 'Sensibilisation au cécifoot'],
    summaries: [
      'Découvrir des sports adaptés pour changer de regard sur le handicap et jouer tous ensemble.',
      'Une séance où enfants valides et en situation de handicap pratiquent côte à côte, avec du matériel adapté.',
    ],
    paragraphs: [
      [
        'Nous venons avec fauteuils de sport, balles sonores et matériel de boccia, et des éducateurs formés au sport adapté.',
        'Les enfants testent les pratiques en situation (yeux bandés, en fauteuil) puis échangent sur ce qu’ils ont ressenti.',
      ],
      [
        'La séance peut être l’occasion de préparer l’accueil d’un enfant en situation de handicap dans le groupe.',
        'Nous proposons aussi un temps d’échange avec l’équipe d’animation sur l’adaptation des jeux.',
      ],
    ],
    formats: ['seance-decouverte', 'evenement', 'formation-animateurs'],
    ages: [
      [6, 11],
      [8, 14],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'formation', 'pret-ressources'],
  },
  {
    subtheme: 'sport-sante',
    titles: ['Bouger plus, le mercredi', 'Sport santé : jeux actifs et récupération', 'Marche active et découverte du quartier'],
    summaries: [
      'Des jeux actifs pour lutter contre la sédentarité, sans compétition, où chacun bouge à son rythme.',
      'Un cycle qui relie activité physique, sommeil et alimentation, avec des défis à relever en famille.',
    ],
    paragraphs: [
      [
        'Nos éducateurs sport-santé proposent des jeux peu techniques, accessibles aux enfants qui pratiquent peu.',
        'Chaque séance associe un temps de jeu actif et un temps calme (respiration, étirements).',
      ],
      [
        'Un carnet de défis permet aux enfants de continuer à bouger à la maison.',
        'Les animateurs de l’accueil reçoivent des fiches de jeux pour prolonger l’action.',
      ],
    ],
    formats: ['cycle', 'atelier'],
    ages: [
      [6, 11],
      [9, 14],
    ],
    venues: ['dans-l-accueil', 'autre-lieu'],
    natures: ['intervention', 'pret-ressources'],
    elsewhere: 'Parc municipal, entrée principale',
  },
  // ——— Environnement ———
  {
    subtheme: 'biodiversite',
    match: [0, 1, 0, 0],
    titles: ['Petites bêtes du jardin', 'Construire des nichoirs et hôtels à insectes', 'Sortie nature : traces et indices', 'À la découverte de la mare'],
    summaries: [
      'Observer, dessiner et protéger les petites bêtes : une découverte de la biodiversité au pas de la porte.',
      'Les enfants construisent des abris pour la faune et apprennent à reconnaître les espèces de leur quartier.',
    ],
    paragraphs: [
      [
        'Munis de boîtes-loupes, de filets et de guides simplifiés, les enfants partent à la recherche des insectes, oiseaux et traces d’animaux.',
        'Les enfants construisent nichoirs et hôtels à insectes avec des matériaux naturels, après avoir découvert les besoins de chaque espèce.',
      ],
      [
        'Les observations peuvent être partagées avec un programme de sciences participatives.',
        'Les abris fabriqués sont installés dans l’accueil ou l’école, et observés au fil des saisons.',
      ],
    ],
    formats: ['atelier', 'cycle', 'visite'],
    ages: [
      [4, 7],
      [6, 11],
      [9, 13],
    ],
    venues: ['dans-l-accueil', 'autre-lieu', 'chez-le-partenaire'],
    natures: ['intervention', 'projet-commun'],
    elsewhere: 'Parc naturel urbain, maison du parc',
  },
  {
    subtheme: 'jardinage',
    match: [0, 1, 0, 0],
    titles: ['Potager de l’accueil : semer et récolter', 'Jardin partagé du mercredi', 'Des graines aux assiettes', 'Jardiner en carrés'],
    summaries: [
      'Créer un potager avec les enfants et le suivre au fil des saisons, du semis à la dégustation.',
      'Un cycle de jardinage au naturel pour apprendre à cultiver sans produits chimiques.',
    ],
    paragraphs: [
      [
        'Nous aidons l’accueil à installer des bacs ou un carré potager, puis les enfants sèment, arrosent et observent.',
        'Au jardin partagé, les enfants ont leur parcelle et découvrent le compost, le paillage et les plantes compagnes.',
      ],
      [
        'Les récoltes sont l’occasion d’un atelier de cuisine ou d’un goûter partagé.',
        'Des fiches simples permettent aux animateurs de poursuivre l’entretien entre nos passages.',
      ],
    ],
    formats: ['cycle', 'atelier'],
    ages: [
      [3, 6],
      [6, 11],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'projet-commun', 'accompagnement'],
  },
  {
    subtheme: 'ferme-pedagogique',
    match: [0, 0, 0, 1],
    titles: ['Une demi-journée à la ferme', 'Soigner les animaux de la ferme', 'Du blé au pain', 'La ferme au fil des saisons'],
    summaries: [
      'Nourrir les animaux, ramasser les œufs, découvrir le potager : une immersion joyeuse dans la vie de la ferme.',
      'Un cycle de quatre visites pour suivre la ferme au fil des saisons.',
    ],
    paragraphs: [
      [
        'Les enfants participent aux soins des animaux (chèvres, poules, lapins, ânes) avec l’un de nos animateurs.',
        'Selon la saison : semis, récolte, tonte des moutons ou fabrication du pain dans notre four.',
      ],
      [
        'Prévoyez des bottes et des vêtements qui ne craignent rien ; la ferme dispose d’un abri pour le goûter.',
        'Les groupes sont accueillis à la demi-journée ou à la journée, par tous les temps.',
      ],
    ],
    formats: ['visite', 'cycle'],
    ages: [
      [3, 6],
      [5, 10],
      [7, 12],
    ],
    venues: ['chez-le-partenaire'],
    natures: ['accueil-groupe'],
  },
  {
    subtheme: 'developpement-durable',
    match: [0, 1, 0, 0],
    titles: ['Zéro déchet : le défi de l’accueil', 'Réparer plutôt que jeter', 'Trier, composter, réduire', 'Éco-délégués du mercredi'],
    summaries: [
      'Comprendre d’où viennent nos déchets et agir concrètement : tri, compost, réemploi, avec des gestes à ramener à la maison.',
      'Des ateliers pratiques pour découvrir l’économie circulaire et donner une seconde vie aux objets.',
    ],
    paragraphs: [
      [
        'À partir d’une pesée des déchets de l’accueil, les enfants enquêtent et proposent leurs propres solutions.',
        'Les enfants démontent, réparent et transforment des objets avec l’aide de nos bénévoles.',
      ],
      [
        'Le projet peut déboucher sur une action visible : affiches, composteur, troc de jouets.',
        'Chaque enfant repart avec un objet qu’il a réparé ou fabriqué à partir de matériaux récupérés.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [6, 10],
      [8, 12],
      [10, 15],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'projet-commun'],
  },
  // ——— Sciences ———
  {
    subtheme: 'experiences',
    match: [0, 0, 1, 0],
    titles: ['Petits chimistes : expériences surprenantes', 'L’air et l’eau en expériences', 'Fusées à eau', 'Les savants du mercredi'],
    summaries: [
      'Observer, faire des hypothèses, tester : les enfants mènent de vraies expériences avec du matériel simple.',
      'Un cycle scientifique qui se termine par le lancement de fusées à eau construites par les enfants.',
    ],
    paragraphs: [
      [
        'Nos animateurs scientifiques apportent tout le matériel et guident la démarche : on se pose une question avant de la tester.',
        'Les expériences partent d’objets du quotidien, pour que les enfants puissent les refaire chez eux.',
      ],
      [
        'Chaque séance se termine par un petit bilan où les enfants expliquent ce qu’ils ont découvert.',
        'Un livret d’expériences est laissé à l’équipe d’animation pour prolonger l’activité.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [5, 8],
      [7, 11],
      [9, 13],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'pret-ressources'],
  },
  {
    subtheme: 'code-robotique',
    match: [0, 1, 0, 0],
    titles: ['Programmer un robot', 'Code débranché et jeux de logique', 'Robots et défis en équipes', 'Mission robot sur Mars'],
    summaries: [
      'Les enfants découvrent la logique du code en programmant de petits robots pour relever des défis.',
      'Des jeux sans écran pour comprendre ce qu’est un algorithme, puis un passage à la programmation.',
    ],
    paragraphs: [
      [
        'Nous venons avec des robots éducatifs (Thymio, Blue-Bot) et des tablettes ; aucun prérequis n’est nécessaire.',
        'Avec des jeux de cartes et des quadrillages au sol, les enfants découvrent ce qu’est un algorithme avant de programmer un robot.',
      ],
      [
        'Les défis sont progressifs et valorisent la coopération autant que la réussite.',
        'Le cycle se termine par un jeu ou une animation que les enfants présentent aux autres groupes.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [5, 8],
      [7, 12],
      [10, 14],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'pret-ressources'],
  },
  {
    subtheme: 'fabrication-numerique',
    match: [0, 0, 1],
    titles: ['Fablab : imprimer en 3D', 'Découpe laser et objets personnalisés', 'Fabriquer un jeu de société au fablab'],
    summaries: [
      'Les enfants dessinent un objet sur ordinateur et le voient naître grâce aux machines du fablab.',
      'Un cycle pour concevoir et fabriquer un jeu de société complet, du plateau aux pions.',
    ],
    paragraphs: [
      [
        'Nos fabmanagers présentent les machines (imprimante 3D, découpe laser, brodeuse) et leurs règles de sécurité.',
        'Les enfants modélisent un objet simple sur un logiciel adapté, puis lancent la fabrication.',
      ],
      [
        'Les objets fabriqués sont remis aux enfants à la séance suivante.',
        'L’atelier est facturé sur devis selon le nombre de séances et les matériaux utilisés.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [8, 12],
      [10, 15],
    ],
    venues: ['chez-le-partenaire'],
    natures: ['accueil-groupe', 'mise-a-disposition'],
  },
  {
    subtheme: 'usages-ecrans',
    match: [0, 1, 1],
    titles: ['Les écrans et moi', 'Jeux vidéo : jouer, comprendre, en parler', 'Internet sans crainte'],
    summaries: [
      'Des jeux et des discussions pour réfléchir à sa place face aux écrans et adopter de bons réflexes.',
      'Un atelier pour parler jeux vidéo sans jugement et apprendre à se protéger en ligne.',
    ],
    paragraphs: [
      [
        'L’atelier part des pratiques des enfants : ce qu’ils regardent, à quoi ils jouent, ce qu’ils ressentent.',
        'À travers des jeux de rôle, les enfants apprennent à protéger leurs informations et à demander de l’aide.',
      ],
      [
        'Un document est remis aux familles pour poursuivre la discussion à la maison.',
        'L’équipe d’animation est associée à la préparation pour adapter le contenu au groupe.',
      ],
    ],
    formats: ['atelier', 'rencontre'],
    ages: [
      [7, 10],
      [9, 13],
      [11, 15],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'accompagnement'],
  },
  // ——— Citoyenneté ———
  {
    subtheme: 'droits-enfant',
    match: [0, 0, 1],
    titles: ['Mes droits, tes droits', 'Jeu de l’oie des droits de l’enfant', 'Préparer la journée des droits de l’enfant'],
    summaries: [
      'Découvrir la Convention internationale des droits de l’enfant par le jeu et le débat.',
      'Les enfants préparent une exposition ou un spectacle pour la journée du 20 novembre.',
    ],
    paragraphs: [
      [
        'Nos animateurs proposent des jeux coopératifs et des photolangages pour faire émerger ce que les enfants savent de leurs droits.',
        'Chaque droit est abordé à partir de situations concrètes de la vie quotidienne.',
      ],
      [
        'Les productions des enfants peuvent être présentées lors d’un événement de la commune.',
        'Un kit d’animation est prêté à l’accueil pour prolonger le travail.',
      ],
    ],
    formats: ['atelier', 'cycle', 'evenement'],
    ages: [
      [6, 11],
      [9, 14],
    ],
    venues: ['dans-l-accueil'],
    natures: ['intervention', 'pret-ressources', 'evenement-commun'],
  },
  {
    subtheme: 'egalite',
    match: [0, 1, 0],
    titles: ['Filles et garçons : tous les jeux sont permis', 'Les stéréotypes, parlons-en', 'Sport mixte et coopératif'],
    summaries: [
      'Des jeux et des discussions pour déconstruire les stéréotypes et faire vivre l’égalité au quotidien.',
      'Un cycle qui questionne les idées reçues à partir d’albums, de publicités et de jeux.',
    ],
    paragraphs: [
      [
        'À partir d’albums jeunesse et d’images, les enfants repèrent ce qui est attribué aux filles ou aux garçons.',
        'Les jeux proposés sont mixtes et coopératifs, pour que chacun essaie des rôles nouveaux.',
      ],
      [
        'Les animateurs de l’accueil sont associés pour poursuivre la réflexion dans la vie du groupe.',
        'Le cycle peut aboutir à une exposition ou une courte vidéo réalisée par les enfants.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [6, 10],
      [9, 13],
    ],
    venues: ['dans-l-accueil'],
    natures: ['intervention', 'projet-commun'],
  },
  {
    subtheme: 'laicite',
    match: [1, 0, 0],
    titles: ['Vivre ensemble : la laïcité expliquée aux enfants', 'Débats philo du mercredi', 'Qu’est-ce qu’on partage ?'],
    summaries: [
      'Des ateliers de philosophie pour apprendre à écouter, argumenter et respecter les opinions des autres.',
      'Comprendre la laïcité comme ce qui permet de vivre ensemble avec nos différences.',
    ],
    paragraphs: [
      [
        'Un animateur formé à la discussion à visée philosophique guide les enfants à partir d’une histoire ou d’une question.',
        'Les enfants apprennent à prendre la parole, à écouter et à changer d’avis, dans un cadre rassurant.',
      ],
      [
        'Les équipes d’animation peuvent être formées pour animer elles-mêmes ces temps d’échange.',
        'Un carnet de pensées garde la trace des questions abordées au fil des séances.',
      ],
    ],
    formats: ['atelier', 'formation-animateurs'],
    ages: [
      [7, 11],
      [9, 14],
    ],
    venues: ['dans-l-accueil'],
    natures: ['intervention', 'formation'],
  },
  {
    subtheme: 'solidarite',
    match: [0, 0, 1],
    titles: ['Rencontres avec les aînés de la résidence', 'Jeux intergénérationnels', 'Collecte solidaire organisée par les enfants'],
    summaries: [
      'Des après-midi partagés entre enfants et personnes âgées : jeux, chansons, lectures et goûter.',
      'Les enfants organisent une action solidaire de A à Z, de l’affiche à la collecte.',
    ],
    paragraphs: [
      [
        'Nous mettons en relation l’accueil et une résidence seniors du quartier et préparons les rencontres avec les deux groupes.',
        'Les enfants choisissent une cause, préparent la communication et tiennent le stand de collecte.',
      ],
      [
        'Chaque rencontre est construite autour d’une activité commune : jeu de société, atelier cuisine, chorale.',
        'Le projet valorise l’engagement des enfants et les liens entre générations.',
      ],
    ],
    formats: ['rencontre', 'cycle', 'evenement'],
    ages: [
      [5, 10],
      [8, 13],
    ],
    venues: ['autre-lieu', 'dans-l-accueil'],
    natures: ['projet-commun', 'evenement-commun'],
    elsewhere: 'Résidence autonomie du quartier',
  },
  {
    subtheme: 'prevention',
    match: [1, 0, 0],
    titles: ['Sécurité routière à vélo et à pied', 'Prévenir le harcèlement : les bons réflexes', 'Dangers domestiques : les petits détectives'],
    summaries: [
      'Des jeux et des mises en situation pour apprendre à se protéger et à protéger les autres.',
      'Un parcours vélo et des ateliers pour devenir un piéton et un cycliste prudent.',
    ],
    paragraphs: [
      [
        'Nos intervenants s’appuient sur des jeux de rôle et des situations concrètes, sans dramatiser.',
        'Le parcours de maniabilité est installé dans la cour de l’accueil avec nos vélos et nos panneaux.',
      ],
      [
        'Les enfants repartent avec un petit livret de conseils à partager avec leur famille.',
        'L’équipe d’animation reçoit des ressources pour reprendre les messages clés.',
      ],
    ],
    formats: ['atelier', 'seance-decouverte'],
    ages: [
      [6, 10],
      [8, 12],
    ],
    venues: ['dans-l-accueil'],
    natures: ['intervention', 'pret-ressources'],
  },
  {
    subtheme: 'participation',
    match: [0, 1, 0],
    titles: ['Conseil d’enfants de l’accueil', 'Projet de quartier imaginé par les enfants', 'Les enfants programment le mercredi'],
    summaries: [
      'Accompagner les enfants pour qu’ils donnent leur avis, votent et montent un projet qui compte pour eux.',
      'Un cycle pour apprendre à débattre, décider ensemble et réaliser un projet choisi par le groupe.',
    ],
    paragraphs: [
      [
        'Nous aidons l’accueil à installer un conseil d’enfants : élections, règles de fonctionnement, premières décisions.',
        'Les enfants identifient un besoin dans leur quartier et imaginent une réponse, du croquis à la présentation aux élus.',
      ],
      [
        'Les animateurs de l’accueil sont formés pour faire vivre le conseil au-delà de notre intervention.',
        'Le projet se termine par une présentation publique, souvent en mairie.',
      ],
    ],
    formats: ['cycle', 'rencontre'],
    ages: [
      [8, 12],
      [10, 15],
    ],
    venues: ['dans-l-accueil'],
    natures: ['accompagnement', 'projet-commun', 'formation'],
  },
  // ——— Santé ———
  {
    subtheme: 'alimentation',
    match: [0, 0, 1],
    titles: ['Bien manger, c’est facile !', 'Le petit-déjeuner des champions', 'D’où vient ce que je mange ?'],
    summaries: [
      'Des jeux pour découvrir les familles d’aliments, l’équilibre et le plaisir de manger varié.',
      'Un atelier qui relie le champ à l’assiette, avec dégustation de produits locaux.',
    ],
    paragraphs: [
      [
        'Notre diététicienne propose des jeux de tri, des quiz et des dégustations à l’aveugle.',
        'Les enfants composent un repas équilibré à partir de cartes-aliments puis le comparent à leurs habitudes.',
      ],
      ['Le message n’est jamais culpabilisant : on parle de plaisir, de découverte et de partage.', 'Un livret de recettes simples est remis aux familles.'],
    ],
    formats: ['atelier', 'seance-decouverte'],
    ages: [
      [4, 7],
      [6, 11],
    ],
    venues: ['dans-l-accueil'],
    natures: ['intervention', 'pret-ressources'],
  },
  {
    subtheme: 'bien-etre',
    match: [0, 1, 0],
    titles: ['Yoga des enfants', 'Relaxation et gestion des émotions', 'Massages et jeux calmes'],
    summaries: [
      'Postures, respiration et histoires : un temps calme pour se recentrer et mieux vivre ses émotions.',
      'Des outils simples pour apprendre à se calmer, reconnaître ses émotions et les exprimer.',
    ],
    paragraphs: [
      [
        'Notre intervenante diplômée propose des postures inspirées des animaux et des histoires à mimer.',
        'Chaque séance explore une émotion à travers un album, un jeu et un exercice de respiration.',
      ],
      [
        'Les animateurs peuvent réutiliser les exercices au moment du retour au calme ou de la sieste.',
        'Prévoir une salle calme et des tapis ; nous apportons le reste du matériel.',
      ],
    ],
    formats: ['cycle', 'atelier'],
    ages: [
      [3, 6],
      [6, 11],
    ],
    venues: ['dans-l-accueil'],
    natures: ['intervention', 'formation'],
  },
  {
    subtheme: 'premiers-secours',
    titles: ['Apprendre à porter secours', 'Les gestes qui sauvent, version enfants', 'Alerter, protéger, secourir'],
    summaries: [
      'Savoir appeler les secours, protéger une personne et faire les premiers gestes : une initiation adaptée aux enfants.',
      'Des mises en situation ludiques pour réagir face à un petit accident.',
    ],
    paragraphs: [
      [
        'Nos formateurs secouristes utilisent mannequins, scénarios et jeux de rôle adaptés à l’âge du groupe.',
        'Les enfants apprennent les numéros d’urgence, la position latérale de sécurité et les bons réflexes face à une brûlure ou une coupure.',
      ],
      ['Une attestation de participation est remise à chaque enfant.', 'Une session peut aussi être proposée aux animateurs de l’accueil.'],
    ],
    formats: ['atelier', 'formation-animateurs'],
    ages: [
      [8, 11],
      [10, 15],
    ],
    venues: ['dans-l-accueil'],
    natures: ['intervention', 'formation'],
  },
  // ——— Langues ———
  {
    subtheme: 'langues-etrangeres',
    match: [0, 0, 1, 0],
    titles: ['Anglais en chansons et en jeux', 'Initiation à l’espagnol', 'Découverte de l’arabe et de son écriture', 'English club du mercredi'],
    summaries: [
      'Une première approche d’une langue étrangère par le jeu, la chanson et les histoires, sans pression.',
      'Les enfants découvrent des sons, des mots et une écriture différente, et jouent avec.',
    ],
    paragraphs: [
      [
        'Nos intervenants, souvent natifs, proposent comptines, jeux de cartes et petits dialogues du quotidien.',
        'Chaque séance explore un thème (les couleurs, la nourriture, les animaux) à travers des jeux actifs.',
      ],
      [
        'La découverte s’accompagne d’éléments de culture : fêtes, recettes, musiques.',
        'Les enfants réalisent un imagier ou un petit spectacle bilingue en fin de cycle.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [4, 7],
      [6, 11],
      [10, 14],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'projet-commun'],
  },
  {
    subtheme: 'ouverture-monde',
    match: [0, 1, 0],
    titles: ['Tour du monde en jeux', 'Correspondance avec une école lointaine', 'Contes et musiques d’ailleurs'],
    summaries: [
      'Voyager sans bouger : jeux, contes, musiques et recettes venus des quatre coins du monde.',
      'Les enfants échangent lettres et vidéos avec un groupe d’enfants d’un autre pays.',
    ],
    paragraphs: [
      [
        'Chaque séance fait escale dans un pays, avec ses jeux traditionnels, ses histoires et ses sons.',
        'Nous mettons l’accueil en relation avec un groupe partenaire à l’étranger et accompagnons les échanges.',
      ],
      [
        'Les familles de l’accueil peuvent être invitées à partager un jeu, une recette ou une langue.',
        'Le projet se conclut par une exposition ou une fête des cultures.',
      ],
    ],
    formats: ['atelier', 'cycle', 'evenement'],
    ages: [
      [5, 9],
      [8, 12],
    ],
    venues: ['dans-l-accueil'],
    natures: ['intervention', 'projet-commun', 'evenement-commun'],
  },
  // ——— Jeux ———
  {
    subtheme: 'jeux-societe',
    match: [0, 1, 0, 0],
    titles: ['Après-midi jeux de société', 'Prêt de malles de jeux', 'Tournoi de jeux de stratégie', 'Jeux coopératifs'],
    summaries: [
      'Une sélection de jeux adaptés à l’âge du groupe, animée par nos ludothécaires, pour jouer, rire et coopérer.',
      'Des malles de jeux prêtées à l’accueil pour un mois, avec une formation des animateurs.',
    ],
    paragraphs: [
      [
        'Nos ludothécaires arrivent avec une trentaine de jeux choisis selon l’âge et la taille du groupe.',
        'La malle contient des jeux de coopération, d’ambiance, de stratégie et de construction, avec leurs règles simplifiées.',
      ],
      [
        'Chaque table est accompagnée par un adulte qui explique les règles et veille à ce que tout le monde joue.',
        'Un temps de formation permet aux animateurs de s’approprier les jeux avant le prêt.',
      ],
    ],
    formats: ['atelier', 'pret-materiel', 'evenement'],
    ages: [
      [3, 6],
      [6, 11],
      [9, 15],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'pret-ressources', 'accueil-groupe'],
  },
  {
    subtheme: 'activites-manuelles',
    titles: ['Bricolage et récup’ créative', 'Couture et tissage pour débutants', 'Fabriquer ses jouets en bois', 'Atelier cartonnage'],
    summaries: [
      'Scier, coller, coudre, assembler : les enfants fabriquent de leurs mains un objet utile ou un jouet.',
      'Un cycle de fabrication qui donne confiance et développe l’habileté manuelle.',
    ],
    paragraphs: [
      [
        'Nos animateurs apportent outils adaptés et matériaux de récupération, et expliquent les règles de sécurité.',
        'Chaque enfant suit une fiche illustrée et avance à son rythme, avec l’aide d’un adulte quand il le faut.',
      ],
      [
        'Les objets fabriqués sont présentés lors d’une petite exposition avant de rejoindre la maison.',
        'Le matériel peut être laissé à l’accueil pour poursuivre l’activité.',
      ],
    ],
    formats: ['atelier', 'cycle'],
    ages: [
      [5, 8],
      [7, 12],
    ],
    venues: ['dans-l-accueil', 'chez-le-partenaire'],
    natures: ['intervention', 'pret-ressources'],
  },
];
