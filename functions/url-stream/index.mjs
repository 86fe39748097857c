// A function URL in RESPONSE_STREAM mode: status and headers first (HttpResponseStream's prelude),
// then one line every 200 ms, each sent to the client as it is written.
export const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
  for (let i = 1; i <= 5; i++) {
    stream.write(`line ${i} at ${new Date().toISOString()}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  stream.end("done\n");
});
