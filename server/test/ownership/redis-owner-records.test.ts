import { describe } from 'vitest';
import { createRedisRecords } from '../../src/ownership/redis-owners.js';
import { announceRedisSkip, redisServerPath, startRedisServer } from '../helpers/redis-server.js';
import { ownerRecordsContract } from './owner-records.contract.js';

announceRedisSkip('owner records in Redis');

const quiet = { warn: () => undefined, info: () => undefined };

describe.skipIf(redisServerPath === undefined)('owner records in Redis (real redis-server)', () => {
  ownerRecordsContract(async () => {
    const redis = await startRedisServer();
    return {
      open: (scope) => createRedisRecords(redis.url, scope, quiet),
      cleanup: () => redis.stop(),
    };
  });
});
