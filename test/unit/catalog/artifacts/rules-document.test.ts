import {
  RULES_DOCUMENT_JSON_SCHEMA,
  evaluateRules,
  toEngineRules,
  validateRulesDocument,
  type RulesDocument,
} from '../../../../core/catalog/artifacts/rules-document';
import { ValidationFailed } from '../../../../core/errors';
import { CREDIT_SCORECARD_IO, creditScorecardBytes, creditScorecardDocument, encodeJson } from '../../../fixtures/artifacts/credit-scorecard';
import { problemAt, problemsOf } from '../../../fixtures/artifacts/validation-problems';

/** The scorecard after `change`, validated; returns the problems. */
function problemsAfter(change: (doc: Record<string, any>) => void, io = CREDIT_SCORECARD_IO) {
  const doc = creditScorecardDocument();
  change(doc);
  return problemsOf(() => validateRulesDocument(encodeJson(doc), io));
}

function scorecard(change?: (doc: Record<string, any>) => void): RulesDocument {
  const doc = creditScorecardDocument();
  change?.(doc);
  return validateRulesDocument(encodeJson(doc), CREDIT_SCORECARD_IO);
}

const applicant = { age: 40, income: 75_000, employment: 'employed', has_defaults: false };

describe('validateRulesDocument: accepted', () => {
  it('accepts the credit scorecard fixture as uploaded', () => {
    const doc = validateRulesDocument(creditScorecardBytes(), CREDIT_SCORECARD_IO);
    expect(doc.hitPolicy).toBe('first');
    expect(doc.rules.map((r) => r.id)).toEqual(['prior-defaults', 'minor', 'unemployed-low-income', 'prime', 'young-low-income', 'middle-band']);
  });

  it('accepts a document that reads fewer inputs than the version declares, and a not condition', () => {
    const doc = scorecard((d) => {
      d.inputs = d.inputs.filter((f: { name: string }) => f.name !== 'has_defaults');
      d.rules = d.rules.filter((r: { id: string }) => r.id !== 'prior-defaults');
      d.rules.push({ id: 'not-employed', when: { not: { field: 'employment', operator: 'equal', value: 'employed' } }, then: { decision: 'review' } });
    });
    expect(doc.rules).toHaveLength(6);
  });
});

describe('validateRulesDocument: refused, each problem at its JSON path', () => {
  it('refuses bytes that are not JSON', async () => {
    const problems = await problemsOf(() => validateRulesDocument(new TextEncoder().encode('{"format": "steward-rules/v1",'), CREDIT_SCORECARD_IO));
    expect(problems).toEqual([{ field: 'artifact', problem: expect.stringMatching(/^not JSON: /) }]);
  });

  it('refuses an empty upload', async () => {
    const problems = await problemsOf(() => validateRulesDocument(new Uint8Array(0), CREDIT_SCORECARD_IO));
    expect(problems).toEqual([{ field: 'artifact', problem: expect.stringContaining('empty') }]);
  });

  it('refuses a wrong format tag and hit policy', async () => {
    const problems = await problemsAfter((d) => {
      d.format = 'steward-rules/v2';
      d.hitPolicy = 'unique';
    });
    expect(problems.map((p) => p.field).sort()).toEqual(['artifact.format', 'artifact.hitPolicy']);
  });

  it('refuses an unknown operator, naming the leaf', async () => {
    const problems = await problemsAfter((d) => {
      d.rules[2].when.all[0].operator = 'like';
    });
    expect(problems).toEqual([{ field: 'artifact.rules.2.when.all.0.operator', problem: expect.stringContaining("Expected 'equal'") }]);
  });

  it('refuses a between without two bounds, and a field name that is no identifier, deep in a nested tree', async () => {
    const problems = await problemsAfter((d) => {
      d.rules[3].when.all[0].value = [25];
      d.rules[5].when.any[1].all[0].field = '1age';
    });
    expect(problems.map((p) => p.field)).toEqual(['artifact.rules.3.when.all.0.value', 'artifact.rules.5.when.any.1.all.0.field']);
  });

  it('refuses a rule whose top condition is a bare leaf (json-rules-engine needs all, any or not)', async () => {
    const problems = await problemsAfter((d) => {
      d.rules[1].when = { field: 'age', operator: 'lessThan', value: 18 };
    });
    expect(problems).toEqual([{ field: 'artifact.rules.1.when', problem: expect.stringContaining('must start with all, any or not') }]);
  });

  it('refuses a condition on a field that is not an input', async () => {
    const problems = await problemsAfter((d) => {
      d.rules[3].when.all[0].field = 'tenure';
    });
    expect(problems).toEqual([
      {
        field: 'artifact.rules.3.when.all.0.field',
        problem: "unknown field 'tenure': not among the document's inputs (age, income, employment, has_defaults)",
      },
    ]);
  });

  it('refuses outputs that are not declared', async () => {
    const problems = await problemsAfter((d) => {
      d.rules[0].then.limit = 0;
    });
    expect(problems).toEqual([
      { field: 'artifact.rules.0.then.limit', problem: expect.stringContaining("sets 'limit', which is not among the document's outputs") },
    ]);
  });

  it('refuses duplicate rule ids, pointing at the second', async () => {
    const problems = await problemsAfter((d) => {
      d.rules[4].id = 'prime';
    });
    expect(problems).toEqual([{ field: 'artifact.rules.4.id', problem: "duplicate rule id 'prime' (first used by rules.3)" }]);
  });

  it('refuses condition values that do not fit the field type', async () => {
    const problems = await problemsAfter((d) => {
      d.rules[1].when.all[0] = { field: 'age', operator: 'equal', value: 'eighteen' };
      d.rules[3].when.all[2].value = ['employed', 'retired'];
      d.rules[0].when.all[0] = { field: 'has_defaults', operator: 'greaterThan', value: 0 };
      d.rules[2].when.all[1] = { field: 'income', operator: 'between', value: [30000, 20000] };
      d.rules[4].when.all[0] = { field: 'age', operator: 'equal', value: 20.5 };
    });
    expect(problemAt(problems, 'artifact.rules.1.when.all.0.value')).toMatch(/expected an integer \(int\), got "eighteen"/);
    expect(problemAt(problems, 'artifact.rules.3.when.all.2.value.1')).toMatch(/'retired' is not one of the allowed values/);
    expect(problemAt(problems, 'artifact.rules.0.when.all.0.value')).toMatch(/compares numbers, but 'has_defaults' is bool/);
    expect(problemAt(problems, 'artifact.rules.2.when.all.1.value')).toMatch(/low 30000 is above high 20000/);
    expect(problemAt(problems, 'artifact.rules.4.when.all.0.value')).toMatch(/expected an integer/);
    expect(problems).toHaveLength(5);
  });

  it('refuses output values that do not fit, in rules and in the default', async () => {
    const problems = await problemsAfter((d) => {
      d.rules[0].then.score = 'low';
      d.default.decision = 'maybe';
    });
    expect(problems.map((p) => p.field).sort()).toEqual(['artifact.default.decision', 'artifact.rules.0.then.score']);
  });

  it('refuses a rule that leaves an output unset when there is no default', async () => {
    const problems = await problemsAfter((d) => {
      delete d.default;
    });
    // unemployed-low-income sets only the score.
    expect(problems).toEqual([{ field: 'artifact.rules.2.then', problem: expect.stringContaining("leaves 'decision' unset") }]);
  });

  it("requires a priority on every rule under hitPolicy 'priority'", async () => {
    const problems = await problemsAfter((d) => {
      d.hitPolicy = 'priority';
      d.rules.forEach((r: { priority?: number }, i: number) => {
        if (i !== 1) r.priority = 10 + i;
      });
    });
    expect(problems).toEqual([{ field: 'artifact.rules.1.priority', problem: expect.stringContaining("hitPolicy is 'priority'") }]);
  });

  it('checks the document against the version schema: inputs it reads, outputs it must produce', async () => {
    const io = {
      inputs: CREDIT_SCORECARD_IO.inputs.filter((f) => f.name !== 'has_defaults').map((f) => (f.name === 'income' ? { ...f, type: 'float' as const } : f)),
      outputs: [...CREDIT_SCORECARD_IO.outputs, { name: 'reason', type: 'string' as const }],
    };
    const problems = await problemsAfter(() => undefined, io);
    expect(problems).toEqual([
      { field: 'artifact.inputs.1.type', problem: "input 'income' is double here but float in the version's schema" },
      { field: 'artifact.inputs.3.name', problem: "input 'has_defaults' is not among the version's declared inputs" },
      { field: 'ioSchema.outputs.2.name', problem: "output 'reason' is declared for the version but the rules document has no such output" },
    ]);
  });

  it('refuses shaped fields: a rule reads one value per field', async () => {
    const problems = await problemsAfter((d) => {
      d.inputs[0].shape = [-1, 3];
    });
    expect(problemAt(problems, 'artifact.inputs.0.shape')).toMatch(/one value per row/);
  });

  it('lists every problem at once', async () => {
    const problems = await problemsAfter((d) => {
      d.rules[0].then.limit = 0;
      d.rules[4].id = 'prime';
      d.rules[3].when.all[0].field = 'tenure';
      d.rules[1].when.all[0].value = 'eighteen';
    });
    expect(problems.map((p) => p.field).sort()).toEqual([
      'artifact.rules.0.then.limit',
      'artifact.rules.1.when.all.0.value',
      'artifact.rules.3.when.all.0.field',
      'artifact.rules.4.id',
    ]);
  });
});

describe('RULES_DOCUMENT_JSON_SCHEMA', () => {
  const schema = RULES_DOCUMENT_JSON_SCHEMA as any;

  it('publishes the document structure with its recursive condition tree', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(expect.arrayContaining(['format', 'hitPolicy', 'inputs', 'outputs', 'rules']));
    expect(schema.properties.format.const).toBe('steward-rules/v1');
    expect(schema.properties.hitPolicy.enum).toEqual(['first', 'collect', 'priority']);
    expect(schema.properties.rules.items.$ref).toBe('#/$defs/Rule');
    expect(schema.$defs.AllCondition.properties.all.items.$ref).toBe('#/$defs/Condition');
    expect(schema.$defs.Condition.anyOf.map((s: { $ref: string }) => s.$ref)).toEqual([
      '#/$defs/FieldCondition',
      '#/$defs/AllCondition',
      '#/$defs/AnyCondition',
      '#/$defs/NotCondition',
    ]);
    const operators = schema.$defs.FieldCondition.oneOf.flatMap((s: any) => s.properties.operator.enum ?? [s.properties.operator.const]);
    expect(operators.sort()).toEqual(
      ['between', 'equal', 'greaterThan', 'greaterThanInclusive', 'in', 'lessThan', 'lessThanInclusive', 'notEqual', 'notIn'].sort(),
    );
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

describe('toEngineRules', () => {
  it('translates field to fact, keeping operators and nesting', () => {
    const [, , , prime] = toEngineRules(scorecard());
    expect(prime).toEqual({
      name: 'prime',
      priority: 1,
      conditions: {
        all: [
          { fact: 'age', operator: 'between', value: [25, 64] },
          { fact: 'income', operator: 'greaterThanInclusive', value: 60000 },
          { fact: 'employment', operator: 'in', value: ['employed', 'self_employed'] },
        ],
      },
      event: { type: 'steward.rule-hit', params: { index: 3 } },
    });
  });
});

describe('evaluateRules', () => {
  const doc = scorecard();

  it.each([
    ['a prime applicant', applicant, ['prime'], { score: 780, decision: 'approve' }],
    ['a prior default, before everything else', { ...applicant, has_defaults: true }, ['prior-defaults'], { score: 300, decision: 'decline' }],
    [
      'an unemployed low earner (decision from the default)',
      { age: 30, income: 15_000, employment: 'unemployed', has_defaults: false },
      ['unemployed-low-income'],
      { score: 350, decision: 'decline' },
    ],
    ['a young low earner', { age: 20, income: 25_000, employment: 'employed', has_defaults: false }, ['young-low-income'], { score: 520, decision: 'review' }],
    ['a middle income', { age: 45, income: 45_000, employment: 'self_employed', has_defaults: false }, ['middle-band'], { score: 640, decision: 'review' }],
    [
      'a retiree with income (nested all inside any)',
      { age: 70, income: 25_000, employment: 'unemployed', has_defaults: false },
      ['middle-band'],
      { score: 640, decision: 'review' },
    ],
    ['the upper edges of between and greaterThanInclusive', { ...applicant, age: 64, income: 60_000 }, ['prime'], { score: 780, decision: 'approve' }],
    ['just past the age band', { ...applicant, age: 65, income: 60_000 }, ['middle-band'], { score: 640, decision: 'review' }],
  ])('decides %s', async (_, row, applied, outputs) => {
    const result = await evaluateRules(doc, row);
    expect(result.applied).toEqual(applied);
    expect(result.outputs).toEqual([outputs]);
  });

  it('answers with the default when no rule matches', async () => {
    const result = await evaluateRules(doc, { age: 30, income: 25_000, employment: 'employed', has_defaults: false });
    expect(result).toEqual({ matched: [], applied: [], outputs: [{ score: 450, decision: 'decline' }] });
  });

  it("under 'first', reports every match but applies the first in document order", async () => {
    const result = await evaluateRules(doc, { ...applicant, has_defaults: true });
    expect(result.matched).toEqual(['prior-defaults', 'prime']);
    expect(result.applied).toEqual(['prior-defaults']);
  });

  it("under 'collect', answers one row per matching rule, in document order", async () => {
    const collect = scorecard((d) => {
      d.hitPolicy = 'collect';
    });
    const result = await evaluateRules(collect, { ...applicant, has_defaults: true });
    expect(result.outputs).toEqual([
      { score: 300, decision: 'decline' },
      { score: 780, decision: 'approve' },
    ]);
  });

  it("under 'priority', the highest priority wins whatever its position; ties go to document order", async () => {
    const byPriority = scorecard((d) => {
      d.hitPolicy = 'priority';
      d.rules.forEach((r: { id: string; priority?: number }) => {
        r.priority = r.id === 'prime' ? 50 : 10;
      });
    });
    const prime = await evaluateRules(byPriority, { ...applicant, has_defaults: true });
    expect(prime.applied).toEqual(['prime']);

    const tie = scorecard((d) => {
      d.hitPolicy = 'priority';
      d.rules.forEach((r: { priority?: number }) => {
        r.priority = 5;
      });
    });
    expect((await evaluateRules(tie, { ...applicant, has_defaults: true })).applied).toEqual(['prior-defaults']);
  });

  it('answers nothing when no rule matches and there is no default', async () => {
    const noDefault = scorecard((d) => {
      delete d.default;
      d.rules = d.rules.filter((r: { id: string }) => r.id !== 'unemployed-low-income');
    });
    expect((await evaluateRules(noDefault, { age: 30, income: 25_000, employment: 'employed', has_defaults: false })).outputs).toEqual([]);
  });

  it('refuses a row missing an input or with a value of the wrong type', async () => {
    const { income: _income, ...withoutIncome } = applicant;
    const problems = await problemsOf(() => evaluateRules(doc, { ...withoutIncome, age: '40', employment: 'retired' }));
    expect(problems).toEqual([
      { field: 'row.age', problem: 'expected an integer (int)' },
      { field: 'row.income', problem: 'missing' },
      { field: 'row.employment', problem: expect.stringContaining("'retired' is not one of the allowed values") },
    ]);
    await expect(evaluateRules(doc, {})).rejects.toBeInstanceOf(ValidationFailed);
  });
});
