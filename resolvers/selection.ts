/** Reading the GraphQL selection: does a field's selection ask for `name` (through fragments too)? */
import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from "graphql";

/** Does the selection set ask for `name` (through fragments too)? */
export function selects(set: SelectionSetNode | undefined, name: string, info: GraphQLResolveInfo): boolean {
  if (!set) return false;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD && s.name.value === name) return true;
    if (s.kind === Kind.INLINE_FRAGMENT && selects(s.selectionSet, name, info)) return true;
    if (s.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = info.fragments[s.name.value];
      if (fragment && selects(fragment.selectionSet, name, info)) return true;
    }
  }
  return false;
}

export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((node: FieldNode) => selects(node.selectionSet, name, info));
}

/**
 * The selection sets reached by following `path` (field names) from the current field, through fragments.
 * E.g. `nestedSelections(info, ["edges", "node"])` on a connection field gives every selection set of its nodes.
 */
export function nestedSelections(info: GraphQLResolveInfo, path: readonly string[]): SelectionSetNode[] {
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
  for (const name of path) {
    sets = sets.flatMap((set) =>
      fieldsNamed(set, name, info).flatMap((f) => (f.selectionSet ? [f.selectionSet] : [])),
    );
  }
  return sets;
}

/** Every field node in `set` (through fragments) named `name`. */
export function fieldsNamed(set: SelectionSetNode, name: string, info: GraphQLResolveInfo): FieldNode[] {
  return allFields(set, info).filter((f) => f.name.value === name);
}

/** Every field node in `set`, with fragments expanded. */
export function allFields(set: SelectionSetNode, info: GraphQLResolveInfo): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...allFields(s.selectionSet, info));
    else {
      const fragment = info.fragments[s.name.value];
      if (fragment) out.push(...allFields(fragment.selectionSet, info));
    }
  }
  return out;
}
