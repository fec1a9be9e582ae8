/**
 * The core's resilience primitives, for apps that call providers directly:
 * the same circuit breaker, failover orchestrator, retry policy and backoff
 * poller the gateway uses, each with an injectable clock (`ManualClock` in
 * tests).
 */
export {
  CircuitBreaker,
  DEFAULT_POLL_BACKOFF,
  FailoverError,
  FailoverOrchestrator,
  InMemoryBreakerStateStore,
  ManualClock,
  PollTimeoutError,
  UpstreamError,
  createSeededRandom,
  isFailoverError,
  isPollTimeoutError,
  isRetryableError,
  isRetryableStatus,
  isUpstreamError,
  orderCandidates,
  pollSchedule,
  pollWaitMs,
  pollWithBackoff,
  retryDelay,
  retryWithBackoff,
  systemClock,
} from '@tollgate/core';
export type {
  BreakerEvent,
  BreakerOutcome,
  BreakerPermit,
  BreakerSnapshot,
  BreakerStateStore,
  CandidateHealth,
  CircuitBreakerOptions,
  Clock,
  FailoverAttempt,
  FailoverCandidate,
  FailoverFailureReason,
  FailoverOptions,
  FailoverResult,
  FailoverRunOptions,
  BackoffScheduleOptions,
  PollOptions,
  PollWait,
  PollResult,
  RetryDelayOptions,
  RetryOptions,
  UpstreamErrorKind,
  UpstreamErrorOptions,
} from '@tollgate/core';
