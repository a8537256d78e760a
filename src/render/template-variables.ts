import { handlebars } from "./handlebars-env.js";

type AstNode = hbs.AST.Node;

/** A variable a template reads from its root context, with where. */
export interface TemplateVariable {
  name: string;
  line: number;
  column: number;
}

/** A helper a template calls, with where (for lint). */
export interface TemplateHelperUse {
  name: string;
  line: number;
  column: number;
}

/**
 * Every root-context variable and helper a template uses. Paths inside
 * `{{#each}}`/`{{#with}}` refer to the item, so only `../x` paths count there;
 * `this`, `@index` and other data variables never count.
 */
export function templateUses(text: string): { variables: TemplateVariable[]; helpers: TemplateHelperUse[] } {
  const ast = handlebars.parse(text);
  const variables: TemplateVariable[] = [];
  const helpers: TemplateHelperUse[] = [];
  const at = (node: AstNode) => ({ line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 });

  const path = (node: AstNode | undefined, depth: number) => {
    if (!node || node.type !== "PathExpression") {
      if (node?.type === "SubExpression") call(node as hbs.AST.SubExpression, depth);
      return;
    }
    const p = node as hbs.AST.PathExpression;
    if (p.data || (p as { this?: boolean }).this || p.parts.length === 0) return;
    if (p.depth === depth) variables.push({ name: p.parts[0]!, ...at(node) });
  };
  const call = (node: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression, depth: number) => {
    const callee = node.path as hbs.AST.PathExpression;
    const isCall = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0 || node.type === "BlockStatement" || node.type === "SubExpression";
    if (isCall && callee.type === "PathExpression") helpers.push({ name: callee.original, ...at(node) });
    else path(callee, depth);
    for (const param of node.params) path(param, depth);
    for (const pair of node.hash?.pairs ?? []) path(pair.value, depth);
  };
  const walk = (nodes: hbs.AST.Statement[], depth: number) => {
    for (const node of nodes) {
      if (node.type === "MustacheStatement") call(node as hbs.AST.MustacheStatement, depth);
      else if (node.type === "BlockStatement") {
        const block = node as hbs.AST.BlockStatement;
        call(block, depth);
        const name = (block.path as hbs.AST.PathExpression).original;
        const scoped = name === "each" || name === "with";
        if (block.program) walk(block.program.body, scoped ? depth + 1 : depth);
        if (block.inverse) walk(block.inverse.body, depth);
      }
    }
  };
  walk(ast.body, 0);
  return { variables, helpers };
}
