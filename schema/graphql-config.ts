/** Small pieces for the plain graphql-js configs of the generated types. */
import { GraphQLList, GraphQLNonNull, type GraphQLNullableType, type GraphQLType } from "graphql";

/**
 * The `extensions` of every generated element. graphql-js keeps a prototype-less `extensions` object as it is and
 * would otherwise allocate an empty one per field, argument and enum value (some 330,000 for a large catalog).
 * Frozen: nothing may add to one element's extensions through it.
 */
export const NO_EXTENSIONS: Readonly<Record<string, never>> = Object.freeze(Object.create(null));

export function nonNull<T extends GraphQLNullableType>(type: T): GraphQLNonNull<T> {
  return new GraphQLNonNull(type);
}

export function listOf<T extends GraphQLType>(type: T): GraphQLList<T> {
  return new GraphQLList(type);
}
