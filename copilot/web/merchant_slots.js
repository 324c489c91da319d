// The merchant page's outfit slots card: every category with the body slot the copilot reads
// it as (or the merchant set), a picker to set one, and "恢复自动识别" to go back to reading.
// Setting sends a one-row slots.csv, the same file a merchant can upload (README "Outfit slots").

import { api, problemText } from "./api.js";
import { clear, h } from "./dom.js";

export function slotsCard(getMerchant) {
  const body = h("div", { "data-testid": "slots" });
  const status = h("p", { class: "muted small", "data-testid": "slots-status" });
  const card = h("section", { class: "card" }, h("h3", {}, "穿搭部位"),
    h("p", { class: "muted small" }, "每个类目在搭配里占的位置（上装、下装、鞋…），由类目名和商品标题按语义识别；识别不准可以直接改，改后下一条搭配问题即生效。"),
    status, body);

  async function load() {
    const merchant = getMerchant();
    let view;
    try {
      view = await api(`/v1/merchants/${encodeURIComponent(merchant)}/slots`);
    } catch (err) {
      clear(body, h("p", { class: "error" }, `加载失败：${err.message}`));
      return;
    }
    const names = Object.fromEntries(view.slots.map((s) => [s.name, s.zh]));
    clear(body, h("table", { class: "records" },
      h("thead", {}, h("tr", {}, h("th", {}, "类目"), h("th", {}, "部位"), h("th", {}, "来源"), h("th", {}, ""))),
      h("tbody", {}, view.items.map((item) => {
        const select = h("select", { "aria-label": `${item.category} 的部位`, "data-testid": "slot-pick" },
          view.slots.map((s) => h("option", { value: s.name, selected: s.name === item.slot }, `${s.zh}（${s.name}）`)));
        select.addEventListener("change", () => setSlot(item.category, select.value));
        const source = item.source === "merchant" ? "商家设置" : `自动识别 ${Math.round(item.confidence * 100)}%`;
        return h("tr", { "data-testid": "slot-row", dataset: { category: item.category, slot: item.slot } },
          h("td", {}, item.category), h("td", {}, select),
          h("td", { class: "muted small", "data-testid": "slot-source" }, source),
          h("td", {}, item.source === "merchant"
            ? h("button", { class: "small", "data-testid": "slot-reset", onclick: () => reset(item.category) }, "恢复自动识别")
            : null));
      }))));
    status.textContent = `${view.items.length} 个类目；${Object.keys(view.settings).length} 个由商家设置。部位：${Object.values(names).join("、")}`;
  }

  async function setSlot(category, slot) {
    const csv = `category,slot\n"${category.replaceAll('"', '""')}",${slot}\n`;
    const form = new FormData();
    form.append("file", new Blob([csv], { type: "text/csv" }), "slots.csv");
    try {
      await api(`/v1/merchants/${encodeURIComponent(getMerchant())}/slots`, { method: "POST", form });
    } catch (err) {
      status.textContent = `保存失败：${problemText(err)}`;
      return;
    }
    load();
  }

  async function reset(category) {
    try {
      await api(`/v1/merchants/${encodeURIComponent(getMerchant())}/slots/${encodeURIComponent(category)}`, { method: "DELETE" });
    } catch (err) {
      status.textContent = `恢复失败：${err.message}`;
      return;
    }
    load();
  }

  return { card, load };
}
