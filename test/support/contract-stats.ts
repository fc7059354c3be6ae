// Counts of the contract checks against GitHub's own descriptions (the OpenAPI description for requests and
// responses, the webhook schemas for payloads), gathered per test file and summed over the run: each test
// file appends one line to a file in $DOCS_FIX_CONTRACT_DIR (made by test/global-setup.ts), whose teardown
// prints the total once. Also the registry through which test/support/contract-setup.ts fails a test whose
// requests broke the contract.
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ContractCounts {
  /** Requests matched to a documented operation and checked. */
  requests: number;
  /** Distinct operationIds requested. */
  operations: string[];
  /** Request bodies, path/query parameter sets and response bodies validated against the description. */
  requestBodies: number;
  parameterSets: number;
  responses: number;
  /** Webhook payloads validated against @octokit/webhooks-schemas. */
  webhookPayloads: number;
  violations: number;
}

const operations = new Set<string>();
const counts: Omit<ContractCounts, 'operations'> = {
  requests: 0,
  requestBodies: 0,
  parameterSets: 0,
  responses: 0,
  webhookPayloads: 0,
  violations: 0,
};

export function countRequest(operationId: string): void {
  counts.requests++;
  operations.add(operationId);
}

export function countValidation(
  kind: 'requestBodies' | 'parameterSets' | 'responses' | 'webhookPayloads',
): void {
  counts[kind]++;
}

/** Violations that failed a test (those a test expected or took itself are not counted). */
export function countViolations(n: number): void {
  counts.violations += n;
}

export function contractCounts(): ContractCounts {
  return { ...counts, operations: [...operations].sort() };
}

/** Something that collects contract violations (a fake GitHub) and hands them over once. */
export interface ViolationSource {
  takeContractViolations(): string[];
}

const sources = new Set<ViolationSource>();

export function registerViolationSource(source: ViolationSource): void {
  sources.add(source);
}

/** Every violation collected since the last call, from every source; forgets sources that are `closed`. */
export function takeViolations(): string[] {
  const out: string[] = [];
  for (const source of sources) {
    out.push(...source.takeContractViolations());
    if ((source as { closed?: boolean }).closed) sources.delete(source);
  }
  return out;
}

/** Appends this test file's counts to the run's directory (nothing when it checked nothing). */
export function saveCounts(dir: string | undefined, file: string): void {
  const c = contractCounts();
  if (!dir || (c.requests === 0 && c.webhookPayloads === 0 && c.violations === 0)) return;
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify({ file, ...c })}\n`);
}

/** The run's total: the sum over test files, operations as a union. */
export function sumCounts(dir: string): (ContractCounts & { files: number }) | undefined {
  const total: ContractCounts & { files: number } = {
    files: 0,
    requests: 0,
    operations: [],
    requestBodies: 0,
    parameterSets: 0,
    responses: 0,
    webhookPayloads: 0,
    violations: 0,
  };
  const ops = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const c = JSON.parse(line) as ContractCounts;
      total.files++;
      total.requests += c.requests;
      total.requestBodies += c.requestBodies;
      total.parameterSets += c.parameterSets;
      total.responses += c.responses;
      total.webhookPayloads += c.webhookPayloads;
      total.violations += c.violations;
      for (const op of c.operations) ops.add(op);
    }
  }
  total.operations = [...ops].sort();
  return total.files === 0 ? undefined : total;
}

export function formatCounts(total: ContractCounts & { files: number }, source: string): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const schemas = total.requestBodies + total.parameterSets + total.responses + total.webhookPayloads;
  return (
    `GitHub contract (${source}): ${n(total.requests)} requests checked, ${n(total.operations.length)} operations used, ` +
    `${n(schemas)} schemas validated (${n(total.requestBodies)} request bodies, ${n(total.parameterSets)} parameter sets, ` +
    `${n(total.responses)} responses, ${n(total.webhookPayloads)} webhook payloads) in ${n(total.files)} test files; ` +
    `${n(total.violations)} ${total.violations === 1 ? 'violation' : 'violations'}`
  );
}
