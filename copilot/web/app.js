// The shell: log in with an API key, show the pages the key's role may open, route by #hash.

import { api, apiKey, ApiError, openSession } from "./api.js";
import { clear, h } from "./dom.js";

const PAGES = {
  agent: { title: "坐席工作台", load: () => import("./agent.js") },
  merchant: { title: "商家知识库", load: () => import("./merchant.js") },
  trainer: { title: "训练师评测", load: () => import("./trainer.js") },
  shop: { title: "顾客模拟", load: () => import("./shop.js") },
};
const ROLE_NAMES = { agent: "坐席", merchant: "商家", trainer: "训练师", admin: "管理员" };

const $ = (id) => document.getElementById(id);
let me = null;
let current = null;   // {name, page}

async function login(key) {
  me = await api("/v1/whoami", { key });
  await openSession(key);
  apiKey.set(key);
  $("login").hidden = true;
  $("logout").hidden = false;
  $("who").textContent = `${me.label || "未命名"} · ${ROLE_NAMES[me.role] || me.role}` +
    (me.merchant ? ` · ${me.merchant}` : "");
  clear($("nav"), me.pages.map((name) => h("a", { href: `#/${name}`, dataset: { page: name } }, PAGES[name].title)));
  await route();
}

function showLogin(message = "") {
  me = null;
  if (current) current.page.unmount?.();
  current = null;
  clear($("nav"));
  clear($("view"));
  $("who").textContent = "";
  $("logout").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
  $("api-key").focus();
}

async function route() {
  if (!me) return;
  const wanted = location.hash.replace(/^#\/?/, "") || me.pages[0];
  if (!me.pages.includes(wanted)) {
    if (current) current.page.unmount?.();
    current = null;
    clear($("view"), h("p", { class: "denied", role: "alert" },
      `无权访问「${PAGES[wanted]?.title || wanted}」：当前密钥的角色是${ROLE_NAMES[me.role] || me.role}。`));
    return;
  }
  if (current?.name === wanted) return;
  if (current) current.page.unmount?.();
  for (const a of $("nav").querySelectorAll("a")) a.classList.toggle("active", a.dataset.page === wanted);
  const module = await PAGES[wanted].load();
  const view = clear($("view"));
  current = { name: wanted, page: module.mount(view, me) };
}

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await login($("api-key").value.trim());
    $("api-key").value = "";
  } catch (err) {
    showLogin(err instanceof ApiError && err.status === 401 ? "密钥无效或已吊销，请向管理员申请新密钥。" : `登录失败：${err.message}`);
  }
});
$("logout").addEventListener("click", () => {
  apiKey.clear();
  api("/v1/session", { method: "DELETE" }).catch(() => {});
  showLogin();
});
window.addEventListener("hashchange", route);

if (apiKey.get()) login(apiKey.get()).catch(() => { apiKey.clear(); showLogin("登录已失效，请重新输入密钥。"); });
else showLogin();
