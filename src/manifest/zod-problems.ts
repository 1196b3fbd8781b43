import type { z } from 'zod';
import type { ManifestProblem } from '../errors.js';
import { closest, knownKeys } from './known-keys.js';
import type { YamlFile } from './yaml-document.js';

/**
 * Turn schema issues into located problems, one per unknown key (with the known field it is closest to, when
 * `schema` is given), with plain messages.
 */
export function problemsFromIssues(
  yaml: YamlFile,
  issues: readonly z.core.$ZodIssue[],
  schema?: z.ZodType,
): ManifestProblem[] {
  const out: ManifestProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = schema ? knownKeys(schema, issue.path) : [];
      for (const key of issue.keys) {
        const near = closest(key, known);
        out.push(
          yaml.problemAt([...issue.path, key], `unknown field "${key}"${near ? ` (did you mean "${near}"?)` : ''}`),
        );
      }
    } else {
      out.push(yaml.problemAt(issue.path, messageOf(issue)));
    }
  }
  return out;
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    return issue.message.endsWith('received undefined')
      ? `is required (${issue.expected === 'tuple' ? 'array' : issue.expected})` // a tuple is a YAML list
      : issue.message.replace(/^Invalid input: /, '');
  }
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    return `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}
