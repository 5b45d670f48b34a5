// Django admin, offer form: "Preview the reach" counts what the form says now, unsaved.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-reach-preview]");
  if (!button) return;
  const target = document.getElementById("offer-reach-live");
  button.disabled = true;
  try {
    const response = await fetch(button.dataset.url, {
      method: "POST",
      body: new FormData(button.closest("form")),
      credentials: "same-origin",
    });
    target.innerHTML = await response.text();
  } catch {
    target.textContent = button.dataset.failed;
  } finally {
    button.disabled = false;
  }
});
