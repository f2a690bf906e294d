import { PostgresSearchEngine } from '../../search/postgres/engine.js';
import { searchEngineContract } from './contract.js';

// The same engine with filters and facets evaluated in SQL instead of the in-memory snapshot.
searchEngineContract('PostgreSQL (all in SQL)', { engine: (database) => new PostgresSearchEngine(database.db, { memory: false }) });
