export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkConfigurationAtStart, warmFirstJourneyInDev, warmUp } = await import("./lib/startup");
    checkConfigurationAtStart();
    await warmUp();
    warmFirstJourneyInDev();
  }
}
