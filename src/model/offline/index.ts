// The offline copy editor: harper.js plus the common-misspellings list, applying only measured-precise rules.
export {
  createOfflineFixer,
  normaliseRules,
  normaliseVocabulary,
  offlineLabel,
  offlineModelId,
  type OfflineFixer,
  type OfflineFixerOptions,
} from './fixer.js';
export {
  DEFAULT_RULES,
  OFFLINE_RULES,
  RULE_SPECS,
  RULESET_VERSION,
  type OfflineRule,
  type RuleSpec,
} from './rules.js';
export {
  createHarperSession,
  harperVersion,
  lintersStarted,
  sharedHarper,
  type HarperLint,
  type HarperSession,
} from './harper.js';
export {
  commonMisspellings,
  misspellingsVersion,
  MISSPELLINGS_PACKAGE,
  type MisspellingList,
} from './misspellings.js';
export { DEFAULT_MIN_UNITS, repositoryVocabulary, type RepositoryVocabularyOptions } from './vocabulary.js';
