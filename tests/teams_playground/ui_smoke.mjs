// One smoke test of the Agents Playground's web UI in headless Debian Chromium:
// type the command, see the request form card, press its submit button, see the
// card's own validation. Only loopback requests leave the browser.
// Usage: node ui_smoke.mjs PLAYGROUND_URL SCREENSHOT.png
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
  ],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1600 } });
  await context.route("**/*", (route) => {
    const host = new URL(route.request().url()).hostname;
    const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(host);
    return loopback ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "domcontentloaded" });
  const box = page.getByRole("textbox").last();
  await box.waitFor({ timeout: 30000 });
  await box.fill("hmis-access");
  await box.press("Enter");
  const submit = page.getByRole("button", { name: "Submit request" }).last();
  await submit.waitFor({ timeout: 30000 });
  console.log("card shown");
  await submit.click();
  await page.getByText("Please fill this in.").first().waitFor({ timeout: 15000 });
  console.log("validation shown");
  await page.screenshot({ path: screenshot, fullPage: false });
} finally {
  await browser.close();
}
