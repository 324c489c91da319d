// The merchant page: upload catalog / policies / FAQs, see a rejected upload's problems
// by file, line and field, browse and delete records, see and set outfit slots, try a search.

import { api, ApiError } from "./api.js";
import { clear, h, yuan } from "./dom.js";
import { slotsCard } from "./merchant_slots.js";

const KINDS = {
  catalog: { name: "商品目录", hint: "JSONL 或 CSV（UTF-8 / GBK 均可）", id: "sku_id",
    columns: [["sku_id", "SKU"], ["title", "标题"], ["category", "类目"], ["price", "价格", yuan], ["stock", "库存"]] },
  policies: { name: "店铺政策", hint: "Markdown（每个政策一个文件）或 JSONL", id: "policy_id",
    columns: [["policy_id", "政策ID"], ["title", "标题"], ["applies_to", "适用类目", (v) => (v.length ? v.join("、") : "全店")]] },
  faqs: { name: "常见问答", hint: "CSV（question,answer,tags,faq_id）或 JSONL", id: "faq_id",
    columns: [["faq_id", "FAQ ID"], ["question", "问题"], ["answer", "答复"]] },
};
const PAGE_SIZE = 50;

export function mount(root, me) {
  let merchant = me.merchant;
  let browsing = "catalog";
  let offset = 0;
  let browseRequests = 0;
  const canDelete = me.role === "merchant" || me.role === "admin";

  const pick = h("select", { hidden: true, "aria-label": "商家", "data-testid": "merchant-pick" });
  const kindPick = h("select", { name: "kind", "data-testid": "upload-kind" },
    Object.entries(KINDS).map(([k, v]) => h("option", { value: k }, v.name)));
  const files = h("input", { type: "file", name: "files", multiple: true, required: true, "data-testid": "upload-files" });
  const hint = h("span", { class: "muted small" }, KINDS.catalog.hint);
  const result = h("div", { class: "upload-result", "data-testid": "upload-result" });
  const tabs = h("div", { class: "tabs" });
  const table = h("div", { "data-testid": "records" });
  const pager = h("div", { class: "pager" });
  const query = h("input", { placeholder: "输入顾客可能问的问题，例如：可以机洗吗？", "data-testid": "search-text" });
  const sku = h("input", { placeholder: "SKU（可选）", size: 10, "data-testid": "search-sku" });
  const hits = h("ol", { class: "hits", "data-testid": "search-hits" });
  const gaps = h("div", { "data-testid": "gaps" });
  const slots = slotsCard(() => merchant);

  root.append(h("div", { class: "merchant-page" },
    h("div", { class: "page-head" }, h("h2", {}, "商家知识库"), pick, h("span", { class: "muted", id: "merchant-name" })),
    h("section", { class: "card" }, h("h3", {}, "上传"),
      h("form", { class: "upload-form", onsubmit: upload }, kindPick, files, h("button", { type: "submit", class: "primary", "data-testid": "upload" }, "上传"), hint),
      h("p", { class: "muted small" }, "整批校验：任何一行有误则整批不入库，并列出每个错误所在的文件、行和字段。"),
      result),
    h("section", { class: "card" }, h("h3", {}, "浏览与删除"), tabs, table, pager),
    h("section", { class: "card" }, h("h3", {}, "知识缺口"),
      h("p", { class: "muted small" }, "顾客问到、但知识库里找不到答案的问题（草稿已告知顾客由客服核实）。补充商品属性、政策或常见问答后，下一次即可自动回答。"),
      gaps),
    slots.card,
    h("section", { class: "card" }, h("h3", {}, "检索测试"),
      h("form", { class: "search-form", onsubmit: search }, query, sku, h("button", { type: "submit", "data-testid": "search" }, "检索")), hits)));

  kindPick.addEventListener("change", () => { hint.textContent = KINDS[kindPick.value].hint; });
  pick.addEventListener("change", () => { merchant = pick.value; offset = 0; browse(); listGaps(); slots.load(); });

  async function upload(e) {
    e.preventDefault();
    if (!files.files.length) { clear(result, h("p", { class: "error" }, "请选择文件")); return; }
    const form = new FormData();
    for (const f of files.files) form.append("files", f, f.name);
    clear(result, h("p", { class: "muted" }, "上传中，正在校验和向量化…"));
    try {
      const report = await api(`/v1/merchants/${encodeURIComponent(merchant)}/${kindPick.value}`, { method: "POST", form });
      const warnings = report.warnings || [];
      clear(result, h("p", { class: "ok", "data-testid": "upload-ok" },
        `已导入 ${report.records} 条：新增 ${report.new}，替换 ${report.replaced}，向量化 ${report.embedded} 段。`),
        warnings.length ? h("div", { class: "warn", "data-testid": "upload-warnings" },
          h("p", {}, `⚠ ${warnings.length} 处可疑内容，请核对后修改（草稿不会引用，客服会看到提示）：`),
          h("ul", {}, warnings.map((w) => h("li", {}, `${w.file} 第 ${w.line} 行 [${w.field}]：${w.message_zh || w.message}`)))) : null);
      files.value = "";
      browsing = kindPick.value;
      offset = 0;
      browse();
    } catch (err) {
      showProblems(err);
    }
  }

  function showProblems(err) {
    const problems = err instanceof ApiError ? err.body.problems : null;
    if (!problems) { clear(result, h("p", { class: "error" }, `上传失败：${err.message}`)); return; }
    clear(result,
      h("p", { class: "error", role: "alert" }, `上传被拒绝，未入库任何记录：共 ${problems.length} 个问题`),
      h("table", { class: "problems", "data-testid": "problems" },
        h("thead", {}, h("tr", {}, h("th", {}, "文件"), h("th", {}, "行"), h("th", {}, "字段"), h("th", {}, "问题"))),
        h("tbody", {}, problems.map((p) => h("tr", { "data-testid": "problem" },
          h("td", {}, p.file), h("td", { class: "num" }, p.line ?? "—"), h("td", {}, p.field ?? "—"), h("td", {}, p.message_zh || p.message))))));
  }

  async function browse() {
    clear(tabs, Object.entries(KINDS).map(([k, v]) => h("button", { class: k === browsing ? "tab active" : "tab",
      "data-testid": `tab-${k}`, onclick: () => { browsing = k; offset = 0; browse(); } }, v.name)));
    const kind = KINDS[browsing];
    const asked = ++browseRequests;   // a slower answer to an earlier request must not overwrite a later one
    let page;
    try {
      page = await api(`/v1/merchants/${encodeURIComponent(merchant)}/${browsing}?offset=${offset}&limit=${PAGE_SIZE}`);
    } catch (err) {
      if (asked === browseRequests) clear(table, h("p", { class: "error" }, `加载失败：${err.message}`));
      return;
    }
    if (asked !== browseRequests) return;
    clear(table, page.items.length ? h("table", { class: "records" },
      h("thead", {}, h("tr", {}, kind.columns.map(([, title]) => h("th", {}, title)), canDelete ? h("th", {}, "") : null)),
      h("tbody", {}, page.items.map((r) => h("tr", { "data-testid": "record", dataset: { id: r[kind.id] } },
        kind.columns.map(([field, , fmt]) => h("td", {}, fmt ? fmt(r[field]) : String(r[field] ?? ""))),
        canDelete ? h("td", {}, deleteButton(r[kind.id])) : null))))
      : h("p", { class: "muted" }, "暂无记录"));
    clear(pager, h("span", { class: "muted", "data-testid": "record-total" }, `共 ${page.total} 条`),
      offset > 0 ? h("button", { onclick: () => { offset -= PAGE_SIZE; browse(); } }, "上一页") : null,
      offset + PAGE_SIZE < page.total ? h("button", { onclick: () => { offset += PAGE_SIZE; browse(); } }, "下一页") : null);
  }

  async function listGaps() {
    let found;
    try {
      found = await api(`/v1/merchants/${encodeURIComponent(merchant)}/knowledge-gaps?limit=100`);
    } catch (err) {
      clear(gaps, h("p", { class: "error" }, `加载失败：${err.message}`));
      return;
    }
    clear(gaps, found.items.length ? h("table", { class: "records" },
      h("thead", {}, h("tr", {}, h("th", {}, "时间"), h("th", {}, "顾客的问题"), h("th", {}, "浏览商品"), h("th", {}, "会话"))),
      h("tbody", {}, found.items.map((g) => h("tr", { "data-testid": "gap" },
        h("td", { class: "num" }, new Date(g.created_at * 1000).toLocaleString("zh-CN")), h("td", {}, g.question),
        h("td", {}, g.sku || "—"), h("td", { class: "muted small" }, g.conversation_id)))))
      : h("p", { class: "muted" }, "暂无知识缺口"));
  }

  // Two clicks to delete: the first arms the button.
  function deleteButton(id) {
    const button = h("button", { class: "danger small", "data-testid": "delete" }, "删除");
    button.addEventListener("click", async () => {
      if (!button.dataset.armed) { button.dataset.armed = "1"; button.textContent = "确认删除？"; return; }
      try {
        await api(`/v1/merchants/${encodeURIComponent(merchant)}/${browsing}/${encodeURIComponent(id)}`, { method: "DELETE" });
        browse();
      } catch (err) {
        button.textContent = `失败：${err.message}`;
      }
    });
    return button;
  }

  async function search(e) {
    e.preventDefault();
    if (!query.value.trim()) return;
    try {
      const res = await api(`/v1/merchants/${encodeURIComponent(merchant)}/search`, { method: "POST",
        json: { message: query.value.trim(), sku: sku.value.trim() || null, k: 8 } });
      clear(hits, res.sources.map((s) => h("li", { "data-testid": "hit" },
        h("strong", {}, s.id), ` [${s.kind}] ${s.title} `, h("span", { class: "muted small" }, s.score.toFixed(4)),
        h("pre", { class: "passage small" }, s.text))));
    } catch (err) {
      clear(hits, h("li", { class: "error" }, err.message));
    }
  }

  (async () => {
    if (!merchant) {
      const merchants = await api("/v1/merchants");
      clear(pick, merchants.map((m) => h("option", { value: m.id }, `${m.name} (${m.id})`)));
      pick.hidden = false;
      merchant = merchants[0]?.id;
    }
    browse();
    listGaps();
    slots.load();
  })();

  return { unmount() {} };
}
