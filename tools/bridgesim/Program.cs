using Appliance.BridgeSim;

// A conference bridge for tests and the demo (README.md): the XML-RPC API over HTTP and HTTPS,
// conferences in memory, switches for capacity, refusal, slowness, a hang and death.
// Exit codes: 0 stopped (SIGTERM/SIGINT or sim.set die), 1 bad arguments or cannot listen.
SimOptions options;
try
{
    options = SimOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"bridgesim: {e.Message}\n{SimOptions.Usage}");
    return 1;
}
try
{
    await using var host = await SimHost.StartAsync(options);
    if (host.Sip is { } sip) Console.WriteLine($"bridgesim: listening on sip:{sip} (UDP, TCP)");
    if (host.SipTls is { } sipTls) Console.WriteLine($"bridgesim: listening on sip:{sipTls} (TLS)");
    foreach (var url in host.Urls) Console.WriteLine($"bridgesim: listening on {url}/RPC2");
    Console.Out.Flush();
    await host.WaitAsync();
    return 0;
}
catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ArgumentException or System.Security.Cryptography.CryptographicException)
{
    Console.Error.WriteLine($"bridgesim: {e.Message}");
    return 1;
}
