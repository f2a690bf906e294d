import { PostgresSearchEngine } from '../../search/postgres/engine.js';
import { searchEngineContract } from './contract.js';

searchEngineContract('PostgreSQL', { engine: (database) => new PostgresSearchEngine(database.db) });
