/**
 * A component family (auth, pagination, converters, targets …): definitions keyed by their
 * YAML `type`. Registering a type twice is refused, so no two files can claim one name.
 */
export interface ComponentDefinition<Config, Context, Instance> {
  type: string;
  create(config: Config, ctx: Context): Instance;
}

/** `Definition` is the family's definition shape, when its members declare more than `type` and `create` (targets do). */
export class Registry<Config, Context, Instance, Definition extends ComponentDefinition<Config, Context, Instance> = ComponentDefinition<Config, Context, Instance>> {
  private readonly byType = new Map<string, Definition>();

  constructor(readonly family: string) {}

  add(definition: Definition): this {
    if (this.byType.has(definition.type)) {
      throw new Error(`${this.family} type "${definition.type}" is already registered`);
    }
    this.byType.set(definition.type, definition);
    return this;
  }

  get(type: string): Definition {
    const definition = this.byType.get(type);
    if (!definition) throw new Error(`unknown ${this.family} type "${type}"; known: ${this.types().join(', ')}`);
    return definition;
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }
}
