import { DatabaseStorage } from '../../server/storage/database-storage.js';
import { openTestDatabase } from '../helpers/app.js';
import { storageContract } from './contract.js';

storageContract(process.env.DATABASE_URL ? 'PostgreSQL table' : 'PGlite table', async () => {
  const { database, drop } = await openTestDatabase();
  return {
    storage: new DatabaseStorage(database.db),
    close: async () => {
      await database.close();
      await drop();
    },
  };
});
