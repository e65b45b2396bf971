// Placeholder until the Docker test support lands: every test run needs a real engine.
export default async function setup(): Promise<void> {}
