// rate-limiter-flexible's entry point loads every store it has (Redis, Mongo, SQL, Etcd and more:
// ~16 ms of CPU at each start of `serve`), and its package.json has no `exports`, so a file of
// its lib/ can be imported alone. Each holds one class as module.exports; the types are those of
// the entry point (its types.d.ts).

declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  import { RateLimiterMemory } from 'rate-limiter-flexible';
  export default RateLimiterMemory;
}

declare module 'rate-limiter-flexible/lib/RateLimiterRes.js' {
  import { RateLimiterRes } from 'rate-limiter-flexible';
  export default RateLimiterRes;
}
