// The language codes of the language guard (engine/language.ts), as data the config schema validates against
// without loading the detector.

/**
 * ISO 639-3 (franc) → the code the config uses: ISO 639-1 where the language has one, else 639-3. Every
 * language franc-min detects is here (a test checks it).
 */
export const LANGUAGE_CODES: Readonly<Record<string, string>> = {
  amh: 'am',
  arb: 'ar',
  azj: 'az',
  bel: 'be',
  ben: 'bn',
  bho: 'bho',
  bos: 'bs',
  bul: 'bg',
  ceb: 'ceb',
  ces: 'cs',
  ckb: 'ckb',
  cmn: 'zh',
  deu: 'de',
  ell: 'el',
  eng: 'en',
  fra: 'fr',
  fuv: 'ff',
  guj: 'gu',
  hau: 'ha',
  hin: 'hi',
  hms: 'hms',
  hnj: 'hnj',
  hrv: 'hr',
  hun: 'hu',
  ibo: 'ig',
  ilo: 'ilo',
  ind: 'id',
  ita: 'it',
  jav: 'jv',
  jpn: 'ja',
  kan: 'kn',
  kaz: 'kk',
  kin: 'rw',
  koi: 'koi',
  kor: 'ko',
  lin: 'ln',
  mad: 'mad',
  mag: 'mag',
  mai: 'mai',
  mal: 'ml',
  mar: 'mr',
  mya: 'my',
  npi: 'ne',
  nld: 'nl',
  nya: 'ny',
  pan: 'pa',
  pbu: 'ps',
  pes: 'fa',
  plt: 'mg',
  pol: 'pl',
  por: 'pt',
  qug: 'qu',
  ron: 'ro',
  run: 'rn',
  rus: 'ru',
  sin: 'si',
  skr: 'skr',
  som: 'so',
  spa: 'es',
  srp: 'sr',
  sun: 'su',
  swe: 'sv',
  swh: 'sw',
  tam: 'ta',
  tel: 'te',
  tgl: 'tl',
  tha: 'th',
  tur: 'tr',
  ukr: 'uk',
  urd: 'ur',
  uzn: 'uz',
  vie: 'vi',
  yor: 'yo',
  zlm: 'ms',
  zul: 'zu',
  zyb: 'za',
};

/** Codes the `languages` option accepts: every language the guard can name. */
export const KNOWN_LANGUAGES: ReadonlySet<string> = new Set(Object.values(LANGUAGE_CODES));

/** `languages: ['*']` turns the guard off: every language is edited. */
export const ANY_LANGUAGE = '*';

/** Whether the guard is on for these `languages` (it is unless they hold `*`). */
export function guardsLanguages(languages: readonly string[]): boolean {
  return !languages.includes(ANY_LANGUAGE);
}
