// The simulated upstream's data: a deterministic synthetic population of invented people, built from
// syllables so no record resembles a real person, held in invented facilities. Same seed, same data.
import seedrandom from 'seedrandom';

export interface DetaineeRecord {
  alien_number: string; // canonical: A + 9 digits
  first_name: string;
  middle_name: string;
  last_name: string;
  date_of_birth: string; // ISO
  country_of_birth: string;
  facility: { name: string; city: string; state: string; phone: string };
  status: 'in_custody' | 'transferred' | 'released';
  booked_on: string; // ISO
}

const ONSETS = ['b', 'd', 'f', 'g', 'j', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'ch', 'll', 'qu', 'x'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'á', 'é', 'í', 'ó', 'ú'];
const CODAS = ['', '', 'n', 'r', 's', 'l', 'z'];

export const COUNTRIES = [
  'México',
  'Guatemala',
  'Honduras',
  'El Salvador',
  'Venezuela',
  'Colombia',
  'Ecuador',
  'Haiti',
  'Cuba',
  'Nicaragua',
];

const FACILITIES = [
  { name: 'Mesa Verde Processing Center', city: 'Bakersfield', state: 'CA' },
  { name: 'Dry Creek Detention Facility', city: 'Tucson', state: 'AZ' },
  { name: 'Pine Hollow Correctional Annex', city: 'Conroe', state: 'TX' },
  { name: 'Red River Service Processing Center', city: 'Harlingen', state: 'TX' },
  { name: 'Cedar Point Contract Facility', city: 'Tacoma', state: 'WA' },
  { name: 'Bayview Staging Center', city: 'Miami', state: 'FL' },
  { name: 'North Plains Holding Facility', city: 'Aurora', state: 'CO' },
  { name: 'Lakeshore County Jail (IGSA)', city: 'Batavia', state: 'NY' },
];

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function name(rng: () => number): string {
  const syllables = 2 + Math.floor(rng() * 2);
  let word = '';
  for (let i = 0; i < syllables; i++)
    word += pick(rng, ONSETS) + pick(rng, VOWELS) + (i === syllables - 1 ? pick(rng, CODAS) : '');
  return capitalise(word);
}

function isoDate(rng: () => number, fromYear: number, toYear: number): string {
  const year = fromYear + Math.floor(rng() * (toYear - fromYear + 1));
  const month = 1 + Math.floor(rng() * 12);
  const day = 1 + Math.floor(rng() * 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A fixed population: `size` records from `seed`. */
export function syntheticDetainees(size = 2000, seed = 'detainee-locator'): DetaineeRecord[] {
  const rng = seedrandom(seed);
  const records: DetaineeRecord[] = [];
  const numbers = new Set<string>();
  while (records.length < size) {
    const alien = `A${String(Math.floor(rng() * 1e9)).padStart(9, '0')}`;
    if (numbers.has(alien)) continue;
    numbers.add(alien);
    const compound = rng();
    // Hyphenated and compound surnames, as people from these countries often have.
    const last =
      compound < 0.2
        ? `${name(rng)}-${name(rng)}`
        : compound < 0.35
          ? `${name(rng)} ${name(rng)}`
          : name(rng);
    const facility = pick(rng, FACILITIES);
    records.push({
      alien_number: alien,
      first_name: name(rng),
      middle_name: rng() < 0.4 ? name(rng) : '',
      last_name: last,
      date_of_birth: isoDate(rng, 1950, 2007),
      country_of_birth: pick(rng, COUNTRIES),
      facility: { ...facility, phone: `555-01${String(Math.floor(rng() * 100)).padStart(2, '0')}` },
      status: rng() < 0.8 ? 'in_custody' : rng() < 0.5 ? 'transferred' : 'released',
      booked_on: isoDate(rng, 2024, 2026),
    });
  }
  return records;
}
