// Runtime

// Monitor and dashboard: metrics folded from events, the UI actor's HTTP server, Prometheus text
export type { Monitor, MonitorOptions } from '../actors/monitor.js';
export { startMonitor } from '../actors/monitor.js';
// Config: one schema for env, file and options
export type { EnvBinding, TroupeConfig } from './config/configSchema.js';
export { envBindings, troupeConfigSchema } from './config/configSchema.js';
// Project file: troupe.config.js / .mjs / .ts
export type { ModelSettings, ProjectConfig } from './config/defineConfig.js';
export { defineConfig } from './config/defineConfig.js';
export type { LoadConfigOptions, LoadedConfig } from './config/loadConfig.js';
export { loadConfig } from './config/loadConfig.js';
export { demoModel } from './demo/demoModel.js';
// Offline demo: social platform stand-ins and the model that plans for them
export { demoTools } from './demo/demoTools.js';
export type { Post } from './demo/socialPlatforms.js';
export { Outbox, socialPlatformTools } from './demo/socialPlatforms.js';
export { type Trend, trendTools } from './demo/trends.js';
// Parallel sub-agent dispatch
export { createResultCache } from './dispatch/budget.js';
export { dispatchAgents } from './dispatch/dispatchAgents.js';
export { dispatch$ } from './dispatch/dispatchStream.js';
export type { DispatchToolDefinition, SubAgentSummary } from './dispatch/dispatchTool.js';
export { dispatchTool, summarizeResult } from './dispatch/dispatchTool.js';
export type { DispatchLimits, ResolvedLimits } from './dispatch/limits.js';
export { dispatchLimitsSchema, resolveLimits } from './dispatch/limits.js';
export { defaultDispatchScreen } from './dispatch/screen.js';
export type { TemplateArgs } from './dispatch/template.js';
export type {
  Agent,
  AgentContext,
  Aggregate,
  CachedResult,
  DispatchAgents,
  DispatchOptions,
  ResultCache,
  Screen,
  SubAgentResult,
} from './dispatch/types.js';
export type { ErrorInfo, TroupeErrorCode } from './errors.js';
// Errors
export {
  CircuitOpenError,
  ConfigError,
  DispatchQuotaExceeded,
  EventInvalidError,
  LeaseLostError,
  LogCorruptionError,
  LogUnavailableError,
  ModelOutputError,
  OCCConflict,
  PlanReferenceError,
  PlanValidationError,
  ToolCallLimitError,
  ToolInputError,
  ToolOutputError,
  ToolTimeoutError,
  TroupeError,
  UnsafeInputError,
  UnstorableValueError,
} from './errors.js';
// Events and the log
export { attachmentSchema, plannedTaskSchema, troupeEventSchema } from './events/schemas.js';
export type {
  Attachment,
  EventDraft,
  EventOf,
  Judgement,
  PlannedTask,
  RecordedError,
  TaskKind,
  TroupeEvent,
  TroupeEventType,
  UnsequencedEvent,
  Usage,
  Verdict,
} from './events/types.js';
export type { BudgetConfig } from './judge/budgetConfig.js';
// Planner–Worker–Judge: the Judge, the budget judge (CFO) and the review queue
export { budgetConfigSchema, loadBudgetConfig, parseBudgetConfig } from './judge/budgetConfig.js';
export type { BudgetDecision, BudgetPolicy, Spend } from './judge/budgetPolicy.js';
export { budgetPolicy } from './judge/budgetPolicy.js';
export type { Judge, JudgeOptions } from './judge/judge.js';
export { band, createJudge } from './judge/judge.js';
export type { JudgeFn, JudgeScore, JudgeSubject } from './judge/judgeFn.js';
export { judgeScoreSchema, modelJudge } from './judge/modelJudge.js';
export type { PendingReview, ReviewDecision, ReviewQueue } from './judge/reviewQueue.js';
export type { AcceptedResult, CommitFn, SwarmOptions } from './judge/swarmOptions.js';
export type { EventLog, RunSummary } from './log/EventLog.js';
// Structured logging with redaction
export type { Logger, LoggerOptions, LogLevel } from './log/logger.js';
export { createLogger, logEvents } from './log/logger.js';
export { memoryLog } from './log/memoryLog.js';
// Durable runs: the SQLite log and recorded tool outcomes (exactly-once effects)
export type { PostgresConnection, PostgresLog, PostgresLogOptions } from './log/postgres/postgresLog.js';
export { postgresLog } from './log/postgres/postgresLog.js';
export type { Lease, RunQueue, SharedEventLog } from './log/RunQueue.js';
export type { SqliteLog, SqliteLogOptions } from './log/sqliteLog.js';
export { sqliteLog } from './log/sqliteLog.js';
export type { McpConnectionOptions, McpHttpServer, McpServer, McpStdioServer } from './mcp/McpConnection.js';
export type { McpResource, McpToolset } from './mcp/mcpTools.js';
// MCP: tools and resources of Model Context Protocol servers, and triggers
export { mcpTools } from './mcp/mcpTools.js';
export type { ResourceSource, Trigger, TriggerOptions } from './mcp/trigger.js';
// Real models: the openai adapter, its config, prices and limits; model calls as events; context compaction
export type { CallOptions, ModelToken, RecordedReply } from './model/callModel.js';
export { callModel } from './model/callModel.js';
export type { CompactionOptions, Compactor, FittedContext, PromptBuilder } from './model/compaction.js';
export { createCompactor, estimateTokens, withSummary } from './model/compaction.js';
export type {
  ChatMessage,
  Model,
  ModelAttempt,
  ModelCallOptions,
  ModelReply,
  ModelRequest,
  PlanRequest,
  ProcessRequest,
  SummarizeRequest,
  SynthesizeRequest,
  TaskResult,
  ToolCallRequest,
  ToolCallResult,
  ToolSpec,
  ToolTurn,
} from './model/Model.js';
export type { ModelFromEnvOptions } from './model/modelFromEnv.js';
export { loadEnv, openaiModelFromEnv } from './model/modelFromEnv.js';
export type { LimitedRun, ModelLimits } from './model/modelLimiter.js';
export { modelLimiter } from './model/modelLimiter.js';
export type { ModelRetryPolicy } from './model/modelRetry.js';
export type { OpenAIModelOptions } from './model/openaiModel.js';
export { openaiModel } from './model/openaiModel.js';
export type { ModelPrice, PriceTable } from './model/pricing.js';
export { costOf, defaultPrices, priceOf } from './model/pricing.js';
export type {
  Script,
  ScriptedPlan,
  ScriptedProcessResult,
  ScriptedTask,
  ScriptedToolCall,
} from './model/scriptedModel.js';
// Models
export { scriptedModel } from './model/scriptedModel.js';
export type { CallPlace, RecordedTurn, ToolLoopOptions } from './model/toolLoop.js';
export { defaultMaxToolCalls, toolLoop } from './model/toolLoop.js';
export type { LatencySummary } from './monitor/histogram.js';
export { bucketBoundsSeconds } from './monitor/histogram.js';
export { MetricsRecorder } from './monitor/MetricsRecorder.js';
export type { MetricFamily, MetricFamilyType, MetricSample } from './monitor/metricFamilies.js';
export { metricFamilies } from './monitor/metricFamilies.js';
export type { Metrics } from './monitor/metrics.js';
export type { MetricRegistry, RegisteredFamily } from './monitor/registerMetrics.js';
export { registerMetrics } from './monitor/registerMetrics.js';
// Resilience: operators, recovery policies, composition and selection
export type { Alternative, FallbackConfig, FallbackInfo } from './policies/fallback.js';
export { FallbackExhaustedError, fallback } from './policies/fallback.js';
export type { PartialOutcome, PartialSuccessConfig } from './policies/partialSuccess.js';
export { PartialSuccessError, partialSuccess } from './policies/partialSuccess.js';
export type { RetryPolicyConfig } from './policies/retry.js';
export { retry } from './policies/retry.js';
export type { CircuitBreakerOptions, CircuitSettings } from './policies/runCircuits.js';
export type { ExecutorReport, NextStep, PlannerCommand } from './run/decide.js';
// The Planner as a pure handler
export { decide, nextStep, readyTasks } from './run/decide.js';
export { evolve } from './run/evolve.js';
export { parsePlan } from './run/parsePlan.js';
export type {
  ModelTotals,
  RevisionRequest,
  RunPolicy,
  RunState,
  RunStatus,
  TaskFailurePolicy,
  TaskState,
  TaskStatus,
} from './run/state.js';
export { initialRunState } from './run/state.js';
export type { RunHandle, RunOptions, Runtime } from './runtime/createRuntime.js';
export { createRuntime } from './runtime/createRuntime.js';
export { startDashboard } from './runtime/dashboard.js';
export type { RuntimeOptions } from './runtime/options.js';
export type {
  CancelledRun,
  CompletedRun,
  CompletedTaskSummary,
  FailedRun,
  FailedTaskSummary,
  RunResult,
  SkippedTaskSummary,
  TaskSummary,
  UnfinishedTaskSummary,
} from './runtime/runResult.js';
export type { DrivenRun, WorkedRun, Worker, WorkOptions } from './runtime/worker.js';
// Security: secret and PII redaction, injection screening, outbound auth
export type { AuthConfig, ResolvedAuth } from './security/auth.js';
export { authConfigSchema, resolveAuth } from './security/auth.js';
export type {
  InjectionFinding,
  InputSource,
  ScreenAction,
  ScreeningPolicy,
  ScreenOptions,
  ScreenVerdict,
} from './security/injection.js';
export {
  assertSafeInput,
  defaultScreeningPolicy,
  detectInjection,
  screenInput,
  screeningPolicySchema,
} from './security/injection.js';
export type { InjectionRule, InjectionRuleId } from './security/injectionRules.js';
export { injectionRules } from './security/injectionRules.js';
export type { NormalizedText } from './security/normalizeText.js';
export { normalizeForScreening } from './security/normalizeText.js';
export type { PIIFinding, PIIKind } from './security/pii.js';
export { detectPII, piiRules, redactPII } from './security/pii.js';
export type { QuarantineItem, UntrustedValue } from './security/quarantine.js';
export { quarantine, quarantineValues, untrustedDataNotice } from './security/quarantine.js';
export type { RedactDeepOptions, Redaction } from './security/redactDeep.js';
export { redactDeep, sensitiveKeyPattern } from './security/redactDeep.js';
export type { EventRedactor } from './security/redactEvent.js';
export { eventRedactor } from './security/redactEvent.js';
export type { RedactionOptions } from './security/redactionOptions.js';
export { redactionOptionsSchema, redactorFromOptions, wellKnownSecretEnv } from './security/redactionOptions.js';
export type { Redactor, RedactorOptions } from './security/redactor.js';
export { createRedactor } from './security/redactor.js';
export { redactSecrets } from './security/redactSecrets.js';
export type { WritableLike } from './security/redactStream.js';
export { redactionSafeguard, redactStream } from './security/redactStream.js';
export type { FilteredResponse, ResponseFilter } from './security/responseFilter.js';
export { createResponseFilter, filterResponse } from './security/responseFilter.js';
export { safeJson } from './security/safeJson.js';
export type { RedactionPatternSpec, RedactionRule } from './security/secretPatterns.js';
export { builtinSecretRules, compileRules } from './security/secretPatterns.js';
// Aggregation operators for dispatch results
export type { CommitRequest, GlobalState, StateChange, StateRead, VersionedEntry } from './state/globalState.js';
// Global state with optimistic concurrency
export { createGlobalState } from './state/globalState.js';
export type { StateUpdate, UpdateStateOptions } from './state/updateState.js';
export { updateState } from './state/updateState.js';
export type { FieldOf, OrderedResults, ResultLike, WithField } from './streams/asAggregate.js';
export { asAggregate } from './streams/asAggregate.js';
export { bestResult } from './streams/bestResult.js';
export type { Bulkhead, BulkheadConfig } from './streams/bulkhead.js';
export { bulkhead } from './streams/bulkhead.js';
export type {
  CircuitBreaker,
  CircuitBreakerConfig,
  CircuitState,
  CircuitTransition,
} from './streams/circuitBreaker.js';
export { circuitBreaker } from './streams/circuitBreaker.js';
export { collectAll } from './streams/collectAll.js';
export type { Ballot, MajorityVoteOptions, VoteResult } from './streams/majorityVote.js';
export { majorityVote } from './streams/majorityVote.js';
export type { RankByOptions, RankKey } from './streams/rankBy.js';
export { rankBy } from './streams/rankBy.js';
export type { RateLimitConfig, RateLimiter } from './streams/rateLimit.js';
export { rateLimit } from './streams/rateLimit.js';
export type { RetryBackoffConfig, RetryInfo } from './streams/retryBackoff.js';
export { retryBackoff } from './streams/retryBackoff.js';
export type { WithTimeoutConfig } from './streams/withTimeout.js';
export { withTimeout } from './streams/withTimeout.js';
export type { ComposeOptions, ComposeStep } from './tools/compose.js';
export { ComposeError, ComposeStepError, compose } from './tools/compose.js';
export type { Tool, ToolContext, ToolDefinition } from './tools/defineTool.js';
// Tools
export { defineTool } from './tools/defineTool.js';
export { idempotencyKey } from './tools/idempotencyKey.js';
export type { OutcomeStoreOptions, RecordedOutcome } from './tools/outcomeStore.js';
export { OutcomeStore } from './tools/outcomeStore.js';
export type { SelectionPreference, SelectToolOptions } from './tools/selectTool.js';
export { NoToolSelectedError, selectTool } from './tools/selectTool.js';
export type { Observation, ToolEstimates, ToolEstimatesConfig } from './tools/toolEstimates.js';
export { toolEstimates } from './tools/toolEstimates.js';
export type { DashboardServer, DashboardSource, ReviewDesk, ServeOptions } from './ui/DashboardSource.js';
export { toPrometheus } from './ui/prometheus.js';
export { tailing } from './ui/tailLog.js';
