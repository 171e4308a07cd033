// Word lists for the synthetic catalog. None may contain a season-like word
// (Season, Part, Volume, Book, Collection, Limited Series) so titles stay parseable.

export const ADJECTIVES = [
  'Crimson', 'Silent', 'Broken', 'Golden', 'Hidden', 'Wild', 'Dark', 'Bright', 'Last', 'Lost', 'Savage', 'Gentle',
  'Hollow', 'Iron', 'Velvet', 'Scarlet', 'Frozen', 'Burning', 'Restless', 'Quiet', 'Little', 'Big', 'Perfect', 'Dirty',
  'Sweet', 'Bitter', 'Final', 'Lonely', 'Royal', 'Wicked', 'Electric', 'Northern', 'Southern', 'Midnight', 'Endless',
  'Fallen', 'Shattered', 'Twisted', 'Sacred', 'Silver', 'Black', 'White', 'Blue', 'Green', 'Red', 'Sunny', 'Stormy',
  'Haunted', 'Brave', 'Reckless', 'Fearless', 'Modern', 'Ancient', 'Strange', 'Curious', 'Happy', 'Lucky', 'Crooked',
  'Honest', 'Deadly', 'Tender', 'Distant', 'Narrow', 'Vanishing', 'Rising', 'Sinking', 'Howling', 'Whispering',
  'Painted', 'Borrowed', 'Stolen', 'Hungry', 'Sleeping', 'Roaring', 'Secret', 'Young', 'Dangerous', 'Beautiful',
  'Grand', 'Tiny', 'Cosmic', 'Infinite', 'Neon', 'Glass', 'Paper', 'Copper', 'Emerald', 'Amber', 'Ivory', 'Wandering',
];

export const NOUNS = [
  'Harbor', 'Crown', 'Kingdom', 'Empire', 'Garden', 'River', 'Mountain', 'Forest', 'Island', 'City', 'Valley', 'Road',
  'Bridge', 'House', 'Manor', 'Street', 'Tower', 'Castle', 'Station', 'Hospital', 'Academy', 'School', 'Diner', 'Hotel',
  'Ranch', 'Farm', 'Circus', 'Precinct', 'Court', 'Office', 'Studio', 'Bakery', 'Kitchen', 'Tide', 'Storm', 'Shadow',
  'Echo', 'Signal', 'Frontier', 'Horizon', 'Mirror', 'Promise', 'Witness', 'Verdict', 'Heist', 'Ledger', 'Lantern',
  'Compass', 'Anchor', 'Orchard', 'Vineyard', 'Canyon', 'Desert', 'Glacier', 'Harvest', 'Detective', 'Doctor', 'Lawyer',
  'Chef', 'Sheriff', 'Sisters', 'Brothers', 'Family', 'Neighbors', 'Strangers', 'Outsiders', 'Survivors', 'Rebels',
  'Saints', 'Sinners', 'Wolves', 'Ravens', 'Foxes', 'Lions', 'Hearts', 'Bones', 'Games', 'Rules', 'Lies', 'Dreams',
  'Nights', 'Days', 'Summers', 'Winters', 'Streets', 'Waves', 'Stars', 'Sparks', 'Ashes', 'Roots', 'Wings', 'Keys',
  'Tales', 'Files', 'Diaries', 'Chronicles', 'Confessions', 'Legends', 'Mysteries', 'Crossing', 'Express', 'Affair',
  'Protocol', 'Dynasty', 'Paradise', 'Inferno', 'Asylum', 'Carnival', 'Odyssey', 'Sanctuary', 'Outpost', 'Lighthouse',
];

export const SHORT_NOUNS = [
  'Salt', 'Bone', 'Fire', 'Ice', 'Smoke', 'Mirrors', 'Steel', 'Silk', 'Blood', 'Honey', 'Thunder', 'Rain', 'Ink',
  'Stone', 'Dust', 'Glory', 'Grace', 'Sugar', 'Spice', 'Pride', 'Sorrow', 'Gold', 'Ash', 'Rust',
];

export const PLACE_PREFIXES = [
  'King', 'Black', 'Red', 'Ash', 'Raven', 'Stone', 'Wolf', 'Oak', 'Elm', 'Fair', 'Green', 'Silver', 'Cold', 'Bright',
  'Hollow', 'North', 'East', 'West', 'South', 'Glen', 'Mill', 'Bay', 'Cedar', 'Pine', 'Maple', 'Thorn', 'Rose', 'Hawk',
];

export const PLACE_SUFFIXES = [
  'bridge', 'water', 'wood', 'field', 'ford', 'haven', 'port', 'vale', 'brook', 'ridge', 'moor', 'hill', 'gate',
  'stead', 'ton', 'wick', 'cliff', 'shore', 'fall', 'mouth', 'dale', 'crest',
];

export const PLACE_EXTRAS = ['Heights', 'Falls', 'Springs', 'Bay', 'Park', 'Creek', 'County', 'Point', 'Hills', 'Beach'];

export const FRANCHISES = [
  'Star Voyage', 'Dragon Realm', 'Crime Scene', 'Chef Stories', 'Wild Planet', 'Dark Mirror', 'Street Eats',
  'Shadow Hunter', 'Love Island Games', 'American Mystery', 'Galaxy Patrol', 'Cold Files', 'Planet Deep',
  'Sword Coast', 'Night Shift', 'Big Bake', 'Tiny Homes', 'Space Force One', 'Monster Tales', 'Hero Academy',
];

export const SUBTITLES = [
  'Andromeda', 'Orion', 'Phoenix', 'Artemis', 'Genesis', 'Exodus', 'Legacy', 'Origins', 'Reckoning', 'Rebellion',
  'Redemption', 'Uprising', 'Resurgence', 'Nightfall', 'Daybreak', 'Aftermath', 'Ascension', 'Revelations', 'Vendetta',
  'Requiem', 'Awakening', 'Insurrection', 'Homecoming', 'Lower Decks', 'The Next Chapter', 'Behind the Curtain',
  'The Lost Years', 'Deep Space', 'New Blood', 'Cold Case', 'Road Trip', 'Down Under', 'After Dark', 'Sweet Tooth',
  'Boot Camp', 'Home Turf', 'Dynasty', 'Ragnarok', 'Horizon Zero', 'Apex',
];

// Words with diacritics, for names like "Élite".
export const DIACRITIC_WORDS = [
  'Élite', 'Señorita', 'Mañana', 'Niño', 'Corazón', 'Pasión', 'Canción', 'Café', 'Rêverie', 'Château', 'Fjällbacka',
  'Señor', 'Bienvenue à', 'Déjà', 'Über', 'Fräulein', 'Odéon', 'Élan', 'Tōkyō', 'Señales', 'Ñandú', 'Noël', 'Crème',
  'Sérénade', 'Ärger', 'Sødahl', 'Lumière', 'Révolte', 'Médecin', 'Ciudad', 'Isla Bonita', 'Pêcheur',
];

export const DIACRITIC_SOLO = [
  'Élite', 'Mañana', 'Corazón', 'Pasión', 'Rêverie', 'Château', 'Lumière', 'Révolte', 'Sérénade', 'Noël', 'Odéon',
  'Fjällbacka', 'Señorita', 'Canción', 'Ñandú', 'Pêcheur', 'Médecin', 'Fräulein',
];

export const HYPHEN_PREFIXES = ['Half', 'Cross', 'Over', 'Under', 'Off', 'Out', 'Far', 'Ever', 'Never', 'High'];

export const FIRST_NAMES = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth', 'David',
  'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Daniel', 'Nancy',
  'Matthew', 'Lisa', 'Anthony', 'Betty', 'Mark', 'Margaret', 'Donald', 'Sandra', 'Steven', 'Ashley', 'Paul',
  'Kimberly', 'Andrew', 'Emily', 'Joshua', 'Donna', 'Kenneth', 'Michelle', 'Kevin', 'Dorothy', 'Brian', 'Carol',
  'George', 'Amanda', 'Edward', 'Melissa', 'Ronald', 'Deborah', 'Timothy', 'Stephanie', 'Jason', 'Rebecca', 'Jeffrey',
  'Sharon', 'Ryan', 'Laura', 'Jacob', 'Cynthia', 'Gary', 'Kathleen', 'Nicholas', 'Amy', 'Eric', 'Shirley', 'Jonathan',
  'Angela', 'Stephen', 'Helen', 'Larry', 'Anna', 'Justin', 'Brenda', 'Scott', 'Pamela', 'Brandon', 'Nicole', 'Maggie',
  'Oliver', 'Olivia', 'Noah', 'Emma', 'Liam', 'Ava', 'Ethan', 'Mia', 'Lucas', 'Isla', 'Mateo', 'Aria', 'Hiroshi',
  'Yuki', 'Priya', 'Arjun', 'Chen', 'Mei', 'Kwame', 'Amara', 'Dmitri', 'Anya', 'Sven', 'Ingrid', 'Pedro', 'Lucia',
  'Omar', 'Leila', 'Tariq', 'Nadia', 'Kofi', 'Zara', 'Felix', 'Hugo', 'Greta', 'Marco', 'Sofia', 'Diego', 'Camila',
];

export const FIRST_NAMES_DIACRITIC = [
  'José', 'Zoë', 'Chloé', 'Renée', 'Björn', 'Søren', 'Inés', 'Raúl', 'Jürgen', 'Amélie', 'Léa', 'Noémie', 'François',
  'Ángel', 'Mónica', 'Zoltán', 'Łukasz', 'Ségolène', 'Joaquín', 'Dagný', 'Héloïse', 'Andrés', 'Bárbara', 'Mikaël',
];

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas',
  'Moore', 'Martin', 'Jackson', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young',
  'Allen', 'King', 'Wright', 'Scott', 'Hill', 'Green', 'Adams', 'Baker', 'Nelson', 'Carter', 'Mitchell', 'Roberts',
  'Turner', 'Phillips', 'Campbell', 'Parker', 'Evans', 'Edwards', 'Collins', 'Stewart', 'Morris', 'Murphy', 'Cook',
  'Rogers', 'Morgan', 'Cooper', 'Peterson', 'Reed', 'Bailey', 'Bell', 'Kelly', 'Howard', 'Ward', 'Cox', 'Richardson',
  'Wood', 'Watson', 'Brooks', 'Bennett', 'Gray', 'James', 'Hughes', 'Price', 'Sanders', 'Myers', 'Long', 'Ross',
  'Foster', 'Powell', 'Jenkins', 'Perry', 'Russell', 'Sullivan', 'Fisher', 'Henderson', 'Hayes', 'Ford', 'Hamilton',
  'Graham', 'Wallace', 'Tanaka', 'Sato', 'Kim', 'Park', 'Nguyen', 'Patel', 'Singh', 'Okafor', 'Mensah', 'Ivanova',
  'Petrov', 'Larsen', 'Nilsson', 'Rossi', 'Bianchi', 'Silva', 'Costa', 'Haddad', 'Mansour', 'Cohen', 'Levi',
  'O\'Brien', 'O\'Connor', 'McAllister', 'Fitzgerald', 'Blackwood', 'Ashford', 'Kingsley', 'Whitaker', 'Holloway',
  'Lindqvist', 'Brennan', 'Delgado', 'Moreau', 'Dubois', 'Schmidt', 'Weber', 'Novak', 'Horvat',
];

export const LAST_NAMES_DIACRITIC = [
  'García', 'Núñez', 'Müller', 'Sánchez', 'Ødegaard', 'Åberg', 'Dvořák', 'Kovačević', 'Nováková', 'Gómez', 'Peña',
  'Fernández', 'Brontë', 'Jiménez', 'Rodríguez', 'Lefèvre', 'Bäckström', 'Şahin', 'Wójcik', 'Ólafsdóttir', 'Martínez',
  'Pérez', 'Böhm', 'Hernández',
];

export const CHARACTER_TITLES = ['Detective', 'Dr.', 'Captain', 'Agent', 'Sheriff', 'Professor', 'Sergeant', 'Judge', 'Officer', 'Chef', 'Mayor', 'Sister'];

export const NUMBER_WORDS = [
  'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine', 'Ten', 'Eleven', 'Twelve', 'Thirteen',
  'Fourteen', 'Fifteen', 'Sixteen', 'Seventeen', 'Eighteen', 'Nineteen', 'Twenty',
];

export const EPISODE_NOUNS = [
  'Arrival', 'Departure', 'Storm', 'Reunion', 'Confession', 'Gamble', 'Trial', 'Escape', 'Wedding', 'Funeral', 'Party',
  'Hunt', 'Deal', 'Secret', 'Key', 'Letter', 'Visitor', 'Return', 'Fall', 'Fire', 'Flood', 'Ghost', 'Gift', 'Job',
  'Lie', 'Map', 'Match', 'Night', 'Offer', 'Plan', 'Promise', 'Question', 'Rescue', 'Rival', 'Road', 'Sacrifice',
  'Signal', 'Stranger', 'Switch', 'Test', 'Truth', 'Vote', 'Wager', 'Warning', 'Window', 'Witness', 'Bargain',
  'Blackout', 'Crossroads', 'Deadline', 'Dinner', 'Exchange', 'Homecoming', 'Invitation', 'Lockdown', 'Outsider',
  'Pilgrimage', 'Ransom', 'Reckoning', 'Standoff', 'Surprise', 'Tunnel', 'Vanishing', 'Verdict', 'Wake',
];

export const FILM_NOUNS = [
  'Heat', 'Drive', 'Gravity', 'Arrival', 'Inception', 'Vertigo', 'Rush', 'Whiplash', 'Prisoners', 'Sicario', 'Oblivion',
  'Crash', 'Fury', 'Nightcrawler', 'Rampage', 'Outbreak', 'Collateral', 'Deja Vu', 'Tenet', 'Skyfall', 'Contagion',
  'Interstellar', 'Spotlight', 'Moonlight', 'Parasite', 'Roma', 'Okja', 'Mudbound', 'Bird Box', 'Extraction',
  'The Irishman', 'Marriage Story', 'The Platform', 'Red Notice', 'Glass Onion', 'The Gray Man', 'Hustle', 'Enola Holmes',
];

export const OVERVIEW_ROLES = [
  'detective', 'single mother', 'young chef', 'retired spy', 'small-town sheriff', 'ambitious lawyer', 'teenage hacker',
  'family of grifters', 'group of friends', 'disgraced surgeon', 'rookie cop', 'reluctant heir', 'wedding planner',
  'team of scientists', 'washed-up rock star', 'pair of estranged sisters', 'grieving widower', 'crew of misfits',
];

export const OVERVIEW_GOALS = [
  'uncover a conspiracy', 'save the family business', 'solve a decades-old murder', 'find their way home',
  'win the competition of a lifetime', 'keep a dangerous secret', 'outrun their past', 'rebuild a broken town',
  'expose the truth', 'survive the season', 'protect the people they love', 'pull off one last job',
  'figure out who they really are', 'stop an ancient evil', 'fall in love against the odds',
];
