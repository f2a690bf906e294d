import { PostgresSearchEngine } from '../../search/postgres.js';
import { searchEngineContract } from './contract.js';

searchEngineContract('PostgreSQL', { engine: (database) => new PostgresSearchEngine(database.db) });
