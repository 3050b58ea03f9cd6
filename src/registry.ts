/**
 * A component family (auth, pagination, converters, targets …): definitions keyed by their
 * YAML `type`. Registering a type twice is refused, so no two files can claim one name.
 */
export interface ComponentDefinition<Config, Context, Instance> {
  type: string;
  create(config: Config, ctx: Context): Instance;
}

export class Registry<Config, Context, Instance> {
  private readonly byType = new Map<string, ComponentDefinition<Config, Context, Instance>>();

  constructor(readonly family: string) {}

  add(definition: ComponentDefinition<Config, Context, Instance>): this {
    if (this.byType.has(definition.type)) {
      throw new Error(`${this.family} type "${definition.type}" is already registered`);
    }
    this.byType.set(definition.type, definition);
    return this;
  }

  get(type: string): ComponentDefinition<Config, Context, Instance> {
    const definition = this.byType.get(type);
    if (!definition) throw new Error(`unknown ${this.family} type "${type}"; known: ${this.types().join(', ')}`);
    return definition;
  }

  types(): string[] {
    return [...this.byType.keys()];
  }
}
