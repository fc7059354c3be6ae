// What a `forget` write removes: one module for the stores that compare decoded values (memory, overlay).
import type { Rejection, StoreWrite } from './types.js';

/** Whether `forget` removes `rejection`: recorded from its pull request (and in its way, when it says). */
export function forgets(rejection: Rejection, forget: Extract<StoreWrite, { op: 'forget' }>): boolean {
  return (
    rejection.pullRequest === forget.pullRequest && (forget.how === undefined || rejection.how === forget.how)
  );
}
