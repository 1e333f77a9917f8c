export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkConfigurationAtStart } = await import("./lib/startup");
    checkConfigurationAtStart();
  }
}
