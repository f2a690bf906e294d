import { PostgresSearchEngine } from '../../search/postgres/engine.js';
import { searchEngineContract } from './contract.js';

// The same engine with the evaluations on worker threads sharing the snapshot (SEARCH_THREADS).
searchEngineContract('PostgreSQL (evaluation threads)', { engine: (database) => new PostgresSearchEngine(database.db, { threads: 2 }) });
