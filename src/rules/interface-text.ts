/**
 * The words of the pages a form is filled and read on (the fill page, the builder's preview, the
 * answer on the review page, the fill page's notices): buttons, markers, hints, summaries. The
 * form's own texts (labels, help, options, constraint messages) come from its definition
 * (language.ts); the engine's messages from messages.ts. One catalogue per language here, in the
 * languages the engine's messages are written in (English, Swahili, French); a language with no
 * catalogue reads English. Browser-safe: the server and the admin bundle import this one module.
 *
 * To add a language: write its catalogue below (`const XX: InterfaceText = {...}`, every key:
 * the type refuses a missing one), and add it to CATALOGUES.
 */

type Attempt = 'save' | 'submit';
/** The review statuses a submitter sees on the fill page. */
export type FillStatus = 'draft' | 'submitted' | 'in_review' | 'approved' | 'rejected';

const ENGLISH = {
  /** The language switch's own label. */
  language: 'Language',
  /** The title of a required marker (`*`). */
  required: 'required',
  /** "Fields marked * are required…": the words before and after the marker. */
  requiredNoteBefore: 'Fields marked',
  requiredNoteAfter: 'are required to submit; a draft may be saved incomplete.',
  newAnswer: 'New answer',
  submissionNumber: (id: string) => `Submission #${id}`,
  unsaved: 'Unsaved changes',
  status: {
    draft: 'Draft',
    submitted: 'Submitted',
    in_review: 'In review',
    approved: 'Approved',
    rejected: 'Rejected',
  } satisfies Record<FillStatus, string>,
  returnedTitle: 'Returned for changes',
  returnedHelp: 'Change the answer, save it, then send it back for review.',
  approvedSectionsReadOnly: 'Approved sections are read-only.',
  sectionApprovedReadOnly: 'Approved · read-only',
  sectionApprovedTitle: 'Approved: it cannot change',
  sentForReview: 'Sent for review',
  cannotEdit: (status: string) => `This submission is ${status.toLowerCase()}: it cannot be edited now.`,
  viewSubmission: 'View the submission',
  /** The error summary's title after a refused save or submit. */
  problemsTitle: (attempt: Attempt, n: number) =>
    `Not ${attempt === 'submit' ? 'submitted' : 'saved'}: ${n} problem${n === 1 ? '' : 's'} to fix`,
  needsFixing: (n: number) => `${n} answer${n === 1 ? ' needs' : 's need'} fixing`,
  notSaved: 'Not saved',
  hintRejected: 'Save your changes, then send the answer back for review.',
  hintCreate: 'Save a draft to finish later, or submit it for review.',
  hintDraft: 'Your draft is only visible to you until you submit it.',
  save: 'Save',
  saveDraft: 'Save draft',
  submit: 'Submit',
  saveAndSubmit: 'Save and submit',
  saving: 'Saving…',
  submitting: 'Submitting…',
  noFields: 'This section has no fields.',
  yes: 'Yes',
  no: 'No',
  choose: '— choose —',
  calculated: 'Calculated from your answers: it cannot be typed',
  noFiles: 'No files.',
  remove: 'remove',
  uploading: 'Uploading…',
  addFile: 'Add file:',
  replaceFile: 'Replace file:',
  filesNeedDraft: 'Save a draft first, then add files.',
  fileNumber: (id: string) => `file #${id}`,
  uploadFailed: (status: number) => `upload failed (${status})`,
  filesCount: (n: number) => `${n} file${n === 1 ? '' : 's'}`,
  latitude: 'Latitude',
  longitude: 'Longitude',
  altitude: 'Altitude (m)',
  accuracy: 'Accuracy (m)',
  useMyLocation: 'Use my location',
  noGeolocation: 'This browser cannot give a location: enter it by hand.',
  findingLocation: 'Finding your location…',
  noLocation: (reason: string | undefined) => `No location (${reason || 'refused'}): enter it by hand.`,
  map: 'map',
  signHere: 'Sign here',
  signature: (label: string) => `Signature: ${label}`,
  savedSignature: 'Saved signature',
  saveSignature: 'Save signature',
  replaceSignature: 'Replace signature',
  clear: 'Clear',
  signed: 'Signed',
  notSigned: 'Not signed.',
  signatureNeedsDraft: 'Save a draft first, then sign.',
  submitterSignsHere: 'The submitter signs here',
  addRow: 'Add row',
  removeThisRow: 'Remove this row',
  removeRow: (n: number) => `Remove row ${n}`,
  noRows: 'No rows.',
  row: (n: number) => `row ${n}`,
  rowsCount: (n: number) => `${n} row${n === 1 ? '' : 's'}`,
  /** A table's limits beside its label: "at least 1, at most 5 rows". */
  rowLimits: (min: number | undefined, max: number | undefined) =>
    [min ? `at least ${min}` : null, max !== undefined ? `at most ${max}` : null].filter(Boolean).join(', ') +
    ` row${(max ?? min) === 1 ? '' : 's'}`,
  /** Where an error of the whole answer (no path) is. */
  theAnswer: 'The answer',
  /** Notices of a save (the server sends them in the page's language). */
  saved: 'Saved',
  savedAndSubmitted: 'Saved and submitted for review',
  draftSaved: (id: string) => `Draft saved (#${id})`,
  submittedNumber: (id: string) => `Submitted (#${id})`,
};

export type InterfaceText = typeof ENGLISH;

const SWAHILI: InterfaceText = {
  language: 'Lugha',
  required: 'lazima',
  requiredNoteBefore: 'Maswali yenye alama',
  requiredNoteAfter: 'ni lazima yajibiwe kabla ya kutuma; rasimu inaweza kuhifadhiwa bila kukamilika.',
  newAnswer: 'Jibu jipya',
  submissionNumber: (id) => `Jibu #${id}`,
  unsaved: 'Mabadiliko hayajahifadhiwa',
  status: {
    draft: 'Rasimu',
    submitted: 'Limetumwa',
    in_review: 'Linakaguliwa',
    approved: 'Limeidhinishwa',
    rejected: 'Limekataliwa',
  },
  returnedTitle: 'Limerudishwa kwa marekebisho',
  returnedHelp: 'Badilisha jibu, lihifadhi, kisha ulitume tena kwa ukaguzi.',
  approvedSectionsReadOnly: 'Sehemu zilizoidhinishwa haziwezi kubadilishwa.',
  sectionApprovedReadOnly: 'Imeidhinishwa · haibadilishwi',
  sectionApprovedTitle: 'Imeidhinishwa: haiwezi kubadilishwa',
  sentForReview: 'Limetumwa kwa ukaguzi',
  cannotEdit: (status) => `Hali ya jibu hili ni "${status}": haliwezi kuhaririwa sasa.`,
  viewSubmission: 'Tazama jibu',
  problemsTitle: (attempt, n) =>
    `${attempt === 'submit' ? 'Halijatumwa' : 'Halijahifadhiwa'}: ${n === 1 ? 'tatizo 1 la kurekebisha' : `matatizo ${n} ya kurekebisha`}`,
  needsFixing: (n) => (n === 1 ? 'Jibu 1 linahitaji kurekebishwa' : `Majibu ${n} yanahitaji kurekebishwa`),
  notSaved: 'Halijahifadhiwa',
  hintRejected: 'Hifadhi mabadiliko yako, kisha utume jibu tena kwa ukaguzi.',
  hintCreate: 'Hifadhi rasimu ili umalize baadaye, au uitume kwa ukaguzi.',
  hintDraft: 'Rasimu yako inaonekana kwako tu hadi utakapoituma.',
  save: 'Hifadhi',
  saveDraft: 'Hifadhi rasimu',
  submit: 'Tuma',
  saveAndSubmit: 'Hifadhi na utume',
  saving: 'Inahifadhi…',
  submitting: 'Inatuma…',
  noFields: 'Sehemu hii haina maswali.',
  yes: 'Ndiyo',
  no: 'Hapana',
  choose: '— chagua —',
  calculated: 'Hukokotolewa kutokana na majibu yako: haiandikwi',
  noFiles: 'Hakuna faili.',
  remove: 'ondoa',
  uploading: 'Inapakia…',
  addFile: 'Ongeza faili:',
  replaceFile: 'Badilisha faili:',
  filesNeedDraft: 'Hifadhi rasimu kwanza, kisha uongeze faili.',
  fileNumber: (id) => `faili #${id}`,
  uploadFailed: (status) => `upakiaji haukufaulu (${status})`,
  filesCount: (n) => `faili ${n}`,
  latitude: 'Latitudo',
  longitude: 'Longitudo',
  altitude: 'Mwinuko (m)',
  accuracy: 'Usahihi (m)',
  useMyLocation: 'Tumia mahali nilipo',
  noGeolocation: 'Kivinjari hiki hakiwezi kutambua mahali ulipo: andika mwenyewe.',
  findingLocation: 'Inatafuta mahali ulipo…',
  noLocation: (reason) => `Mahali hapajapatikana (${reason || 'imekataliwa'}): andika mwenyewe.`,
  map: 'ramani',
  signHere: 'Weka sahihi hapa',
  signature: (label) => `Sahihi: ${label}`,
  savedSignature: 'Sahihi iliyohifadhiwa',
  saveSignature: 'Hifadhi sahihi',
  replaceSignature: 'Badilisha sahihi',
  clear: 'Futa',
  signed: 'Imetiwa sahihi',
  notSigned: 'Haijatiwa sahihi.',
  signatureNeedsDraft: 'Hifadhi rasimu kwanza, kisha uweke sahihi.',
  submitterSignsHere: 'Mjazaji ataweka sahihi hapa',
  addRow: 'Ongeza safu',
  removeThisRow: 'Ondoa safu hii',
  removeRow: (n) => `Ondoa safu ya ${n}`,
  noRows: 'Hakuna safu.',
  row: (n) => `safu ya ${n}`,
  rowsCount: (n) => `safu ${n}`,
  rowLimits: (min, max) =>
    `safu ${[min ? `zisizopungua ${min}` : null, max !== undefined ? `zisizozidi ${max}` : null].filter(Boolean).join(', ')}`,
  theAnswer: 'Jibu',
  saved: 'Limehifadhiwa',
  savedAndSubmitted: 'Limehifadhiwa na kutumwa kwa ukaguzi',
  draftSaved: (id) => `Rasimu imehifadhiwa (#${id})`,
  submittedNumber: (id) => `Limetumwa (#${id})`,
};

const FRENCH: InterfaceText = {
  language: 'Langue',
  required: 'obligatoire',
  requiredNoteBefore: 'Les champs marqués',
  requiredNoteAfter: 'sont obligatoires pour envoyer ; un brouillon peut être enregistré incomplet.',
  newAnswer: 'Nouvelle réponse',
  submissionNumber: (id) => `Réponse n° ${id}`,
  unsaved: 'Modifications non enregistrées',
  status: {
    draft: 'Brouillon',
    submitted: 'Envoyée',
    in_review: 'En cours d’examen',
    approved: 'Approuvée',
    rejected: 'Refusée',
  },
  returnedTitle: 'Renvoyée pour corrections',
  returnedHelp: 'Modifiez la réponse, enregistrez-la, puis renvoyez-la pour examen.',
  approvedSectionsReadOnly: 'Les sections approuvées ne sont plus modifiables.',
  sectionApprovedReadOnly: 'Approuvée · lecture seule',
  sectionApprovedTitle: 'Approuvée : elle ne peut plus changer',
  sentForReview: 'Envoyée pour examen',
  cannotEdit: (status) => `Cette réponse est « ${status} » : elle ne peut plus être modifiée.`,
  viewSubmission: 'Voir la réponse',
  problemsTitle: (attempt, n) =>
    `${attempt === 'submit' ? 'Non envoyée' : 'Non enregistrée'} : ${n} problème${n === 1 ? '' : 's'} à corriger`,
  needsFixing: (n) => `${n} réponse${n === 1 ? '' : 's'} à corriger`,
  notSaved: 'Non enregistrée',
  hintRejected: 'Enregistrez vos modifications, puis renvoyez la réponse pour examen.',
  hintCreate: 'Enregistrez un brouillon pour terminer plus tard, ou envoyez la réponse pour examen.',
  hintDraft: 'Votre brouillon n’est visible que par vous jusqu’à son envoi.',
  save: 'Enregistrer',
  saveDraft: 'Enregistrer le brouillon',
  submit: 'Envoyer',
  saveAndSubmit: 'Enregistrer et envoyer',
  saving: 'Enregistrement…',
  submitting: 'Envoi…',
  noFields: 'Cette section ne contient aucun champ.',
  yes: 'Oui',
  no: 'Non',
  choose: '— choisir —',
  calculated: 'Calculé à partir de vos réponses : non modifiable',
  noFiles: 'Aucun fichier.',
  remove: 'retirer',
  uploading: 'Envoi du fichier…',
  addFile: 'Ajouter un fichier :',
  replaceFile: 'Remplacer le fichier :',
  filesNeedDraft: 'Enregistrez d’abord un brouillon, puis ajoutez des fichiers.',
  fileNumber: (id) => `fichier n° ${id}`,
  uploadFailed: (status) => `échec de l’envoi (${status})`,
  filesCount: (n) => `${n} fichier${n === 1 ? '' : 's'}`,
  latitude: 'Latitude',
  longitude: 'Longitude',
  altitude: 'Altitude (m)',
  accuracy: 'Précision (m)',
  useMyLocation: 'Utiliser ma position',
  noGeolocation: 'Ce navigateur ne peut pas donner de position : saisissez-la à la main.',
  findingLocation: 'Recherche de votre position…',
  noLocation: (reason) => `Position introuvable (${reason || 'refusée'}) : saisissez-la à la main.`,
  map: 'carte',
  signHere: 'Signez ici',
  signature: (label) => `Signature : ${label}`,
  savedSignature: 'Signature enregistrée',
  saveSignature: 'Enregistrer la signature',
  replaceSignature: 'Remplacer la signature',
  clear: 'Effacer',
  signed: 'Signé',
  notSigned: 'Non signé.',
  signatureNeedsDraft: 'Enregistrez d’abord un brouillon, puis signez.',
  submitterSignsHere: 'Le répondant signera ici',
  addRow: 'Ajouter une ligne',
  removeThisRow: 'Supprimer cette ligne',
  removeRow: (n) => `Supprimer la ligne ${n}`,
  noRows: 'Aucune ligne.',
  row: (n) => `ligne ${n}`,
  rowsCount: (n) => `${n} ligne${n === 1 ? '' : 's'}`,
  rowLimits: (min, max) =>
    [min ? `au moins ${min}` : null, max !== undefined ? `au plus ${max}` : null].filter(Boolean).join(', ') +
    ` ligne${(max ?? min) === 1 ? '' : 's'}`,
  theAnswer: 'La réponse',
  saved: 'Enregistrée',
  savedAndSubmitted: 'Enregistrée et envoyée pour examen',
  draftSaved: (id) => `Brouillon enregistré (n° ${id})`,
  submittedNumber: (id) => `Envoyée (n° ${id})`,
};

/** The catalogues by primary language subtag (English is the fallback). */
const CATALOGUES: Readonly<Record<string, InterfaceText>> = { en: ENGLISH, sw: SWAHILI, fr: FRENCH };

/** The languages the pages' own words are written in. */
export const INTERFACE_LANGUAGES = Object.keys(CATALOGUES);

/**
 * The pages' words in a language (`sw`, `sw-KE`, `fr-CA`: by exact code, then primary subtag);
 * English for undefined or a language with no catalogue.
 */
export function interfaceTextIn(language: string | undefined): InterfaceText {
  const key = language?.toLowerCase() ?? 'en';
  const primary = key.split('-')[0]!;
  if (Object.hasOwn(CATALOGUES, key)) return CATALOGUES[key]!;
  if (Object.hasOwn(CATALOGUES, primary)) return CATALOGUES[primary]!;
  return ENGLISH;
}
