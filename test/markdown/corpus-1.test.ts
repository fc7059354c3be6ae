// Every file of $DOCS_FIX_CORPUS (e.g. ../shared/corpus) round-trips and keeps its block structure; shard 1 of 2.
import { corpusSuite } from './corpus.js';

corpusSuite(0, 2);
