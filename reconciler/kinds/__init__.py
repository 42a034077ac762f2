"""Resource kinds, one module each. `KINDS` (in reconciler.kinds.registry) lists them in
dependency order: the planner observes and plans in this order, the applier
creates in this order and removes in reverse."""
