// Behaviour of the rendered formatting recipe: escaping (property-based),
// entities → HTML → entities round trips checked with parse-mode's own HTML
// parser (an independent implementation), MarkdownV2/BBCode output, flags.
import { HTMLStreamParser, b, fmt, i, type FormattedString } from "@grammyjs/parse-mode";
import fc from "fast-check";
import type { Context } from "grammy";
import type { MessageEntity } from "grammy/types";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { commandMessage, createTestBot, message } from "../helpers/harness.js";
import { applyRecipes, copyFixture, renderRecipe } from "../helpers/recipes.js";

interface FormattingModule {
  escapeHtml: (text: string) => string;
  escapeMarkdownV2: (text: string) => string;
  entityText: (text: string, entity: MessageEntity) => string;
  entitiesToHtml: (text: string, entities: MessageEntity[]) => string;
  entitiesToMarkdownV2: (text: string, entities: MessageEntity[]) => string;
  entitiesToBBCode: (text: string, entities: MessageEntity[], options?: { urled?: boolean; escape?: (t: string) => string }) => string;
  flag: (code: string) => string;
  replyFormatted: (ctx: Context, m: FormattedString) => Promise<unknown>;
  html: (strings: TemplateStringsArray, ...values: unknown[]) => string;
  replyHtml: (ctx: Context, text: string) => Promise<unknown>;
  md: (strings: TemplateStringsArray, ...values: unknown[]) => string;
  replyMarkdown: (ctx: Context, text: string) => Promise<unknown>;
}

const load = async (answers: Record<string, unknown> = {}) => (await renderRecipe("formatting", answers)).load<FormattingModule>();

/** What Telegram reads from an HTML message: parse-mode's parser of the Bot API's HTML style. */
function parseHtml(html: string): { text: string; entities: MessageEntity[] } {
  const parser = new HTMLStreamParser();
  parser.add(html);
  const parsed = parser.toFormattedString();
  return { text: parsed.text, entities: parsed.entities };
}

const MD_SPECIALS = "_*[]()~`>#+-=|{}.!\\";

/**
 * A minimal MarkdownV2 reader for plain text: `\x` is the literal x; any
 * unescaped special character would start markup, so it is reported.
 */
function decodeMarkdownV2Plain(md: string): { text: string; markup: string[] } {
  let text = "";
  const markup: string[] = [];
  for (let k = 0; k < md.length; k++) {
    const c = md[k]!;
    if (c === "\\" && k + 1 < md.length) text += md[++k];
    else if (MD_SPECIALS.includes(c)) markup.push(c);
    else text += c;
  }
  return { text, markup };
}

/** Entities in a canonical order and with only the fields that matter. */
const normalize = (entities: readonly MessageEntity[]) =>
  entities
    .map((e) => ({ ...e }))
    .sort((x, y) => x.offset - y.offset || y.length - x.length || x.type.localeCompare(y.type));

// === Generated messages: properly nested formatting over text with emoji and surrogate pairs ===

type Node = string | { type: "bold" | "italic" | "underline" | "strikethrough" | "spoiler" | "link" | "code"; url?: string; children: Node[] };

const piece = fc.oneof(
  fc.constantFrom("a", "b c", "<&>", "\"q\"", "x_y*z", "\n", "👍🏽", "🇩🇪", "𝔘", "é", "家族", "&amp;", " "),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 4 }),
);
const url = fc.constantFrom("https://grammy.dev", "https://t.me/x?start=1", "https://example.com/a_b-c/(x)");
const { tree } = fc.letrec<{ tree: Node[]; node: Node }>((tie) => ({
  tree: fc.array(tie("node"), { minLength: 1, maxLength: 4 }),
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    piece,
    fc.record({ type: fc.constantFrom("bold", "italic", "underline", "strikethrough", "spoiler"), children: tie("tree") }),
    fc.record({ type: fc.constant("link" as const), url, children: tie("tree") }),
    fc.record({ type: fc.constant("code" as const), children: fc.array(piece, { minLength: 1, maxLength: 2 }) }),
  ),
}));

/** Flattens a tree into text + entities (UTF-16 offsets), the way Telegram sends a message. */
function flatten(nodes: Node[]): { text: string; entities: MessageEntity[] } {
  let text = "";
  const entities: MessageEntity[] = [];
  const walk = (list: Node[], open: Set<string>) => {
    for (const node of list) {
      if (typeof node === "string") {
        text += node;
        continue;
      }
      const start = text.length;
      // Telegram never nests an entity inside one of the same type, and code holds no other entity.
      const kind = node.type === "link" ? "text_link" : node.type;
      const skip = open.has(kind) || open.has("code");
      walk(node.children, skip ? open : new Set([...open, kind]));
      const length = text.length - start;
      if (skip || length === 0) continue;
      entities.push(kind === "text_link" ? { type: "text_link", offset: start, length, url: node.url! } : ({ type: kind, offset: start, length } as MessageEntity));
    }
  };
  walk(nodes, new Set());
  return { text, entities };
}

describe("escaping", () => {
  it("escapes every MarkdownV2 special character and the backslash, and nothing else", async () => {
    const { escapeMarkdownV2 } = await load();
    for (const c of MD_SPECIALS) expect(escapeMarkdownV2(c)).toBe(`\\${c}`);
    expect(escapeMarkdownV2("Hello, world: 3.5 (ok)!")).toBe("Hello, world: 3\\.5 \\(ok\\)\\!");
    expect(escapeMarkdownV2("abc ä 👍 \n")).toBe("abc ä 👍 \n");
  });

  it("escapes HTML &, <, > and quotes", async () => {
    const { escapeHtml } = await load();
    expect(escapeHtml(`<a href="x">&amp;</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;");
  });

  it("property: any string escaped for HTML reads back as exactly that text, with no formatting", async () => {
    const { escapeHtml } = await load();
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (s) => {
        const parsed = parseHtml(escapeHtml(s));
        expect(parsed.text).toBe(s);
        expect(parsed.entities).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("property: any string escaped for MarkdownV2 reads back as exactly that text, with no markup", async () => {
    const { escapeMarkdownV2 } = await load();
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (s) => {
        const decoded = decodeMarkdownV2Plain(escapeMarkdownV2(s));
        expect(decoded.markup).toEqual([]);
        expect(decoded.text).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
});

describe("entities → markup", () => {
  it("property: entities → HTML → entities round-trips (emoji, surrogate pairs, nesting)", async () => {
    const { entitiesToHtml } = await load();
    fc.assert(
      fc.property(tree, (nodes) => {
        const { text, entities } = flatten(nodes);
        const parsed = parseHtml(entitiesToHtml(text, entities));
        expect(parsed.text).toBe(text);
        expect(normalize(parsed.entities)).toEqual(normalize(entities));
      }),
      { numRuns: 400 },
    );
  });

  it("the generated messages really contain nesting and surrogate pairs inside entities (the round trip is not vacuous)", () => {
    const samples = fc.sample(tree, { numRuns: 400, seed: 42 }).map(flatten);
    const contains = (a: MessageEntity, b: MessageEntity) => a !== b && b.offset >= a.offset && b.offset + b.length <= a.offset + a.length;
    const nested = samples.filter(({ entities }) => entities.some((a) => entities.some((b) => contains(a, b)))).length;
    const surrogateInEntity = samples.filter(({ text, entities }) => entities.some((e) => /[\uD800-\uDBFF]/.test(text.slice(e.offset, e.offset + e.length)))).length;
    expect(nested).toBeGreaterThan(40);
    expect(surrogateInEntity).toBeGreaterThan(40);
  });

  it("HTML: pre with a language, links with escaped hrefs, mentions, custom emoji, blockquotes", async () => {
    const { entitiesToHtml } = await load();
    const text = "👍🏽 code & link @bob";
    const entities: MessageEntity[] = [
      { type: "pre", offset: 5, length: 6, language: "ts" },
      { type: "text_link", offset: 12, length: 4, url: 'https://x.y/?a=1&b="2"' },
      { type: "mention", offset: 17, length: 4 },
      { type: "custom_emoji", offset: 0, length: 4, custom_emoji_id: "5368324170671202286" },
    ];
    expect(entitiesToHtml(text, entities)).toBe(
      '<tg-emoji emoji-id="5368324170671202286">👍🏽</tg-emoji> <pre><code class="language-ts">code &amp;</code></pre> <a href="https://x.y/?a=1&amp;b=&quot;2&quot;">link</a> @bob',
    );
    expect(entitiesToHtml("q\nr", [{ type: "expandable_blockquote", offset: 0, length: 3 }])).toBe("<blockquote expandable>q\nr</blockquote>");
  });

  it("closes and reopens entities that overlap without nesting, so tags stay balanced", async () => {
    const { entitiesToHtml } = await load();
    const entities: MessageEntity[] = [
      { type: "bold", offset: 0, length: 4 },
      { type: "italic", offset: 2, length: 4 },
    ];
    const html = entitiesToHtml("abcdef", entities);
    expect(html).toBe("<b>ab<i>cd</i></b><i>ef</i>");
    expect(parseHtml(html).text).toBe("abcdef");
  });

  it("MarkdownV2: nesting, code escaping, links, the italic/underline ambiguity, quotes", async () => {
    const { entitiesToMarkdownV2 } = await load();
    expect(
      entitiesToMarkdownV2("👍🏽 bold italic.", [
        { type: "bold", offset: 5, length: 11 },
        { type: "italic", offset: 10, length: 6 },
      ]),
    ).toBe("👍🏽 *bold _italic_*\\.");
    expect(entitiesToMarkdownV2("a `b` \\ c", [{ type: "code", offset: 0, length: 9 }])).toBe("`a \\`b\\` \\\\ c`");
    expect(entitiesToMarkdownV2("see docs", [{ type: "text_link", offset: 4, length: 4, url: "https://x.y/(a)\\" }])).toBe("see [docs](https://x.y/(a\\)\\\\)");
    expect(
      entitiesToMarkdownV2("iu", [
        { type: "underline", offset: 0, length: 2 },
        { type: "italic", offset: 0, length: 2 },
      ]),
    ).toBe("__\r_iu_\r__");
    expect(entitiesToMarkdownV2("one\ntwo", [{ type: "blockquote", offset: 0, length: 7 }])).toBe(">one\n>two");
    expect(entitiesToMarkdownV2("x = 1;", [{ type: "pre", offset: 0, length: 6, language: "ts" }])).toBe("```ts\nx = 1;\n```");
  });

  it("BBCode: an emoji before the entity and nested entities (UTF-16 offsets)", async () => {
    const { entitiesToBBCode } = await load();
    const text = "👍🏽 hello world [x]";
    const entities: MessageEntity[] = [
      { type: "bold", offset: 5, length: 11 },
      { type: "italic", offset: 11, length: 5 },
      { type: "spoiler", offset: 17, length: 3 },
    ];
    expect(entitiesToBBCode(text, entities)).toBe("👍🏽 [b]hello [i]world[/i][/b] [spoiler][x][/spoiler]");
    expect(entitiesToBBCode(text, entities, { escape: (t) => t.replace(/\[/g, "[[]") })).toBe("👍🏽 [b]hello [i]world[/i][/b] [spoiler][[]x][/spoiler]");
  });

  it("BBCode: urls and mentions become [url] only when urled; text links always", async () => {
    const { entitiesToBBCode } = await load();
    const text = "hi @bob see https://grammy.dev and docs";
    const entities: MessageEntity[] = [
      { type: "mention", offset: 3, length: 4 },
      { type: "url", offset: 12, length: 18 },
      { type: "text_link", offset: 35, length: 4, url: "https://core.telegram.org" },
    ];
    expect(entitiesToBBCode(text, entities)).toBe("hi @bob see https://grammy.dev and [url=https://core.telegram.org]docs[/url]");
    expect(entitiesToBBCode(text, entities, { urled: true })).toBe(
      "hi [url=https://t.me/bob]@bob[/url] see [url]https://grammy.dev[/url] and [url=https://core.telegram.org]docs[/url]",
    );
  });

  it("ctx.entities() and entityText slice by UTF-16 units, right after surrogate pairs", async () => {
    const { entityText, entitiesToHtml } = await load();
    const t = createTestBot();
    const seen: string[] = [];
    t.bot.on("message:entities:mention", (ctx) => {
      seen.push(...ctx.entities("mention").map((e) => e.text), ...ctx.msg.entities.map((e) => entityText(ctx.msg.text, e)));
      seen.push(entitiesToHtml(ctx.msg.text, ctx.msg.entities));
    });
    await t.send(message({ text: "👍🏽 @bob 𝔘 hi", entities: [{ type: "mention", offset: 5, length: 4 }, { type: "bold", offset: 10, length: 2 }] }));
    expect(seen).toEqual(["@bob", "@bob", "𝔘", "👍🏽 @bob <b>𝔘</b> hi"]);
  });
});

describe("flag", () => {
  it("turns ISO country codes into flags and refuses anything else", async () => {
    const { flag } = await load();
    expect(flag("de")).toBe("🇩🇪");
    expect(flag("DE")).toBe("🇩🇪");
    expect(flag("jp")).toBe("🇯🇵");
    for (const bad of ["deu", "d", "", "12", "d1", "🇩🇪", "XX", "zz"]) expect(() => flag(bad)).toThrow(RangeError);
    expect(() => flag("deu")).toThrow('"deu" is not a two-letter country code');
  });

  it("is left out when not chosen, as is BBCode", async () => {
    const r = await renderRecipe("formatting", { flag: false, bbcode: false });
    const text = readFileSync(Object.values(r.files)[0]!, "utf8");
    expect(text).not.toContain("function flag");
    expect(text).not.toContain("entitiesToBBCode");
  });
});

describe("style variants", () => {
  it("entities: replyFormatted sends fmt text with entities, no parse_mode", async () => {
    const { replyFormatted } = await load({ style: "entities" });
    const t = createTestBot();
    t.bot.command("hi", (ctx) => replyFormatted(ctx, fmt`${b}Hi${b} ${i}<you>${i}`));
    await t.send(commandMessage("hi", "", { from: 4 }));
    expect(t.calls).toEqual([
      {
        method: "sendMessage",
        payload: {
          chat_id: 4,
          text: "Hi <you>",
          entities: [
            { type: "bold", offset: 0, length: 2 },
            { type: "italic", offset: 3, length: 5 },
          ],
        },
      },
    ]);
  });

  it("html: the template escapes interpolated values; replyHtml sets parse_mode HTML", async () => {
    const { html, replyHtml } = await load({ style: "html" });
    const name = `<script>&"`;
    const text = html`<b>Hello</b>, ${name}!`;
    expect(text).toBe("<b>Hello</b>, &lt;script&gt;&amp;&quot;!");
    expect(parseHtml(text)).toEqual({ text: `Hello, ${name}!`, entities: [{ type: "bold", offset: 0, length: 5 }] });
    const t = createTestBot();
    t.bot.command("hi", (ctx) => replyHtml(ctx, text));
    await t.send(commandMessage("hi", "", { from: 4 }));
    expect(t.calls[0]!.payload).toEqual({ chat_id: 4, text, parse_mode: "HTML" });
  });

  it("markdownv2: the template escapes interpolated values; replyMarkdown sets parse_mode MarkdownV2", async () => {
    const { md, replyMarkdown } = await load({ style: "markdownv2" });
    const text = md`*Hi* ${"a_b (1.5)!"}`;
    expect(text).toBe("*Hi* a\\_b \\(1\\.5\\)\\!");
    const t = createTestBot();
    t.bot.command("hi", (ctx) => replyMarkdown(ctx, text));
    await t.send(commandMessage("hi", "", { from: 4 }));
    expect(t.calls[0]!.payload).toEqual({ chat_id: 4, text, parse_mode: "MarkdownV2" });
  });

  it("@grammyjs/parse-mode is imported and added as a dependency only for the entities style", async () => {
    for (const style of ["html", "markdownv2"]) {
      const r = await renderRecipe("formatting", { style });
      expect(readFileSync(Object.values(r.files)[0]!, "utf8")).not.toContain("@grammyjs/parse-mode");
    }
    const dir = copyFixture("cjs-single");
    const html = await applyRecipes(dir, [{ id: "formatting", answers: { style: "html" } }], { write: false });
    expect(html.dependencies.map((d) => d.name)).toEqual([]);
    const entities = await applyRecipes(dir, [{ id: "formatting", answers: { style: "entities" } }], { write: false });
    expect(entities.dependencies.map((d) => `${d.name}@${d.version}`)).toEqual(["@grammyjs/parse-mode@^2.3.0"]);
  });
});
