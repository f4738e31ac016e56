import type { LocalizedField as Field, LocalizedTable as RepeatingTable } from '../templates/definition.schema.js';
import type { GeopointPart } from '../templates/field-types.js';
import { dateBounds, numberBounds, numberIn, optionLabels, range } from './message-format.js';
import type { Messages } from './messages.js';

/**
 * The engine's messages in French, message for message as the English ones (messages.ts).
 * Numbers as French writes them: a narrow no-break space between thousands, a decimal comma
 * (`1 000,5`); 0 and 1 take the singular. A message left out here is shown in English.
 */

const num = numberIn('\u202f', ',');
const fmt = (n: number | undefined) => (n === undefined ? undefined : num(n));
const numberRange = (field: Field) => {
  const [min, max] = numberBounds(field);
  return range(fmt(min), fmt(max), {
    from: (a, b) => `de ${a} à ${b}`,
    atLeast: (a) => `supérieur ou égal à ${a}`,
    atMost: (b) => `inférieur ou égal à ${b}`,
  });
};
const dateRange = (field: Field) => {
  const [min, max] = dateBounds(field);
  const r = range(min, max, {
    from: (a, b) => `du ${a} au ${b}`,
    atLeast: (a) => `le ${a} ou après`,
    atMost: (b) => `le ${b} ou avant`,
  });
  return r ? `,${r}` : '';
};

const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n <= 1 ? one : many}`;

/** "de 2 à 5 <noms>", "au moins 3 <noms>", "au plus 10 <noms>", "exactement 4 <noms>". */
function counted(min: number | undefined, max: number | undefined, noun: string): string {
  if (min !== undefined && max !== undefined)
    return min === max ? `exactement ${plural(min, noun)}` : `de ${num(min)} à ${plural(max, noun)}`;
  if (min !== undefined) return `au moins ${plural(min, noun)}`;
  return `au plus ${plural(max ?? 0, noun)}`;
}

const REQUIRED: Partial<Record<Field['type'], string>> = {
  single_choice: 'Cette réponse est obligatoire : choisissez une option',
  multiple_choice: 'Cette réponse est obligatoire : choisissez une option',
  file: 'Cette réponse est obligatoire : joignez un fichier',
  boolean: 'Cette réponse est obligatoire : répondez oui ou non',
  geopoint: 'Cette réponse est obligatoire : indiquez le lieu',
  signature: 'Cette réponse est obligatoire : signez dans le cadre',
};

export const FRENCH: Partial<Messages> = {
  required: (field: Field) => REQUIRED[field.type] ?? 'Cette réponse est obligatoire',
  integer: (field: Field) => `Saisissez un nombre entier${numberRange(field)}`,
  decimal: (field: Field) => `Saisissez un nombre${numberRange(field)}`,
  boolean: () => 'Répondez oui ou non',
  text: () => 'Saisissez du texte',
  length: (min: number | undefined, max: number | undefined) => `Saisissez ${counted(min, max, 'caractère')}`,
  pattern: (field: Field) => field.rules?.patternMessage ?? 'Saisissez la réponse au format que demande cette question',
  email: () => 'Saisissez une adresse e-mail comme nom@example.org',
  url: () => 'Saisissez une adresse web commençant par http:// ou https://, comme https://example.org',
  date: (field: Field) => `Saisissez une date comme 2024-03-31${dateRange(field)}`,
  datetime: (field: Field) =>
    `Saisissez une date et une heure avec son fuseau horaire, comme 2024-03-31T14:30:00Z${dateRange(field)}`,
  time: () => 'Saisissez une heure comme 14:30 ou 14:30:15',
  singleChoice: (field: Field) => `Choisissez l’une des options : ${optionLabels(field)}`,
  multipleChoice: (field: Field) => `Choisissez parmi : ${optionLabels(field)}`,
  choiceTwice: () => 'Choisissez chaque option une seule fois',
  choiceCount: (field: Field) => `Choisissez ${counted(field.rules?.minItems, field.rules?.maxItems, 'option')}`,
  files: () => 'Joignez les fichiers par leurs identifiants (tels que le téléversement les a renvoyés)',
  fileCount: (field: Field, max: number) => {
    const min = field.rules?.minItems;
    return `Joignez ${counted(min !== undefined && min > 0 ? min : undefined, max, 'fichier')}`;
  },
  geopoint: () => 'Saisissez un lieu par sa latitude et sa longitude en degrés décimaux',
  geopointPart: () => 'Un lieu n’a qu’une latitude, une longitude, une altitude et une précision',
  geopointRange: (part: GeopointPart) =>
    part.key === 'latitude'
      ? 'Saisissez une latitude de -90 à 90'
      : part.key === 'longitude'
        ? 'Saisissez une longitude de -180 à 180'
        : part.key === 'altitude'
          ? `Saisissez une altitude en mètres, de ${num(part.min)} à ${num(part.max)}`
          : `Saisissez une précision en mètres, de 0 à ${num(part.max)}`,
  signature: () => 'Signez une fois : une signature est un seul dessin, téléversé en PNG (son identifiant de fichier)',
  rows: () => 'Saisissez les lignes de ce tableau sous forme de liste',
  row: () => 'Saisissez cette ligne comme un objet de ses colonnes',
  rowCount: (table: RepeatingTable, draft: boolean) => {
    const min = draft ? undefined : table.minRows;
    return `Ajoutez ${counted(min !== undefined && min > 0 ? min : undefined, table.maxRows, 'ligne')}`;
  },
  section: () => 'Saisissez les réponses de cette section comme un objet de ses questions',
  answer: () => 'Envoyez la réponse comme un objet de ses sections',
  unknownSection: () => 'Ce formulaire n’a pas de section avec cette clé',
  unknownField: () => 'Cette section n’a pas de question avec cette clé',
  unknownColumn: () => 'Ce tableau n’a pas de colonne avec cette clé',
};
