import { z } from 'zod';

/**
 * The same schema with every object field optional, all the way down, keeping strictness
 * and descriptions: what a scenario may write (presets and defaults fill the rest).
 */
export function deepPartial(schema: z.ZodType): z.ZodType {
  let partial: z.ZodType = schema;
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      // A discriminator stays as it is so a partial object still says which kind it is.
      shape[key] = deepPartial(field).optional();
    }
    partial = z.strictObject(shape);
  } else if (schema instanceof z.ZodDiscriminatedUnion || schema instanceof z.ZodUnion) {
    const options = (schema.options as z.ZodType[]).map(deepPartial);
    const [only] = options;
    partial = options.length === 1 && only !== undefined ? only : z.union(options as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  } else if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) {
    partial = deepPartial(schema.unwrap() as z.ZodType);
  }
  return schema.description ? partial.describe(schema.description) : partial;
}
