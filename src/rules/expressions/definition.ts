import type { Catalog } from './catalog.js';
import { checkExpression, type CheckedExpression, type ExpressionProblem } from './check.js';

/**
 * All the expressions of a definition checked together: each in its context, then the cycles among
 * the ones that produce a value or decide relevance (calculated, default, showIf): `total` reading
 * `subtotal` reading `total` can never be evaluated. `required` and constraints only judge, so
 * they may read anything, their own field included.
 */

export type ExpressionRole = 'showIf' | 'required' | 'constraint' | 'calculated' | 'default';

export interface ExpressionItem {
  role: ExpressionRole;
  source: string;
  /** Where the definition holds it: `sections[0].fields[3].showIf`, `sections[1].constraints[0].expression`. */
  path: string;
  /** The key of its section, and of its table for a rule of a column. */
  section: string;
  table?: string;
  /** The id of the field or column it belongs to; none for a constraint of a section or a table. */
  owner?: string;
}

export interface CheckedDefinition {
  /** Every problem, in the order of the items, cycles last. Empty: everything can be compiled. */
  problems: ExpressionProblem[];
  /** The checked expression of each item, in the order given (null when it was refused). */
  checked: (CheckedExpression | null)[];
  /** Ids of the fields with a calculation or a default, each after the fields it reads: the order to compute them in. */
  order: string[];
}

const VALUE_ROLES = new Set<ExpressionRole>(['calculated', 'default', 'showIf']);

/** The type an item's result must have, spelled as a field type (see ExpressionContext.expect). */
function expectOf(item: ExpressionItem, catalog: Catalog): string | undefined {
  if (item.role === 'showIf' || item.role === 'required' || item.role === 'constraint') return 'boolean';
  const owner = item.owner === undefined ? undefined : catalog.byId.get(item.owner);
  if (!owner) return undefined;
  if (item.role === 'calculated') return owner.resultType;
  return owner.fieldType;
}

export function checkExpressions(catalog: Catalog, items: readonly ExpressionItem[]): CheckedDefinition {
  const problems: ExpressionProblem[] = [];
  const checked = items.map((item) => {
    const result = checkExpression(
      item.source,
      { path: item.path, section: item.section, table: item.table, expect: expectOf(item, catalog) },
      catalog,
    );
    problems.push(...result.problems);
    return result.expression;
  });
  // The graph: a field reads what its calculation, default and showIf read.
  const edges = new Map<string, { to: string; path: string }[]>();
  const valued = new Set<string>();
  items.forEach((item, i) => {
    const expression = checked[i];
    if (item.owner === undefined || !VALUE_ROLES.has(item.role)) return;
    if (item.role !== 'showIf') valued.add(item.owner);
    let out = edges.get(item.owner);
    if (!out) edges.set(item.owner, (out = []));
    for (const to of expression?.dependencies ?? []) out.push({ to, path: item.path });
  });
  const components = stronglyConnected(edges);
  for (const component of components) {
    const cycle = cycleIn(component, edges);
    if (!cycle) continue;
    const fields = cycle.ids.map((id) => catalog.byId.get(id));
    const spans = new Set(fields.map((f) => `${f?.section}\u0000${f?.table ?? ''}`)).size > 1;
    const name = (id: string, i: number) => {
      const f = fields[i];
      if (!f) return id;
      return spans ? [f.section, f.table, f.key].filter((p) => p !== undefined).join('.') : f.key;
    };
    const chain = [...cycle.ids, cycle.ids[0]!].map((id, i) => name(id, i % cycle.ids.length)).join(' -> ');
    problems.push({
      path: cycle.path,
      code: 'cycle',
      message: `these expressions depend on each other in a cycle, so none can be evaluated: ${chain}`,
    });
  }
  const order = components.flat().filter((id) => valued.has(id));
  return { problems, checked, order };
}

/**
 * Tarjan's strongly connected components, without recursion (a chain of 1,000 calculations must
 * not use 1,000 stack frames). Components come out with what they read before them.
 */
function stronglyConnected(edges: Map<string, { to: string }[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const work: { id: string; i: number }[] = [{ id: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const targets = edges.get(frame.id) ?? [];
      if (frame.i < targets.length) {
        const to = targets[frame.i++]!.to;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, i: 0 });
        } else if (onStack.has(to)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let id: string;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          component.push(id);
        } while (id !== frame.id);
        out.push(component.reverse());
      }
    }
  }
  return out;
}

/** The shortest cycle through the component's first member, with the path of the expression that starts it; null when acyclic. */
function cycleIn(
  component: string[],
  edges: Map<string, { to: string; path: string }[]>,
): { ids: string[]; path: string } | null {
  const start = component[0]!;
  const members = new Set(component);
  const self = (edges.get(start) ?? []).find((e) => e.to === start);
  if (self) return { ids: [start], path: self.path };
  if (component.length < 2) return null;
  // Breadth first from start back to start, inside the component.
  const previous = new Map<string, string>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const id = queue[q]!;
    for (const { to } of edges.get(id) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const ids = [id];
        while (ids[0] !== start) ids.unshift(previous.get(ids[0]!)!);
        const second = ids[1] ?? start;
        const path = (edges.get(start) ?? []).find((e) => e.to === second)!.path;
        return { ids, path };
      }
      if (!previous.has(to) && to !== start) {
        previous.set(to, id);
        queue.push(to);
      }
    }
  }
  return null;
}
