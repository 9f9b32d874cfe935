using Appliance.Daemon.Hosting;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Daemon;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["--show-vendor-key"])
        {
            // Which key this binary trusts: build.sh and build-image.sh check it before shipping it.
            Console.WriteLine(Licensing.VendorKey.Describe());
            return 0;
        }
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(DaemonOptions.Usage);
            return 0;
        }
        if (args is ["--version"])
        {
            // The image build names the factory release after it (releases/<version>).
            Console.WriteLine(SoftwareVersion.Current);
            return 0;
        }
        DaemonOptions options;
        try
        {
            options = DaemonOptions.Parse(args);
        }
        catch (OptionsException e)
        {
            Console.Error.WriteLine($"applianced: {e.Message}\n{DaemonOptions.Usage}");
            return DaemonExitCodes.Usage;
        }

        Store.Store store;
        try
        {
            SystemdLifecycle.NotifyStatusEarly("starting: opening the store");
            Maintenance.RestoreSwap.CompletePending(options.DataDir, m => Console.Error.WriteLine($"applianced: {m}"));
            store = Store.Store.Open(options.DataDir);
        }
        catch (StoreOpenException e)
        {
            Console.Error.WriteLine($"applianced: {e.Message}");
            return e.HeldByAnother ? DaemonExitCodes.Refused : DaemonExitCodes.Internal;
        }
        try
        {
            Api.ApiServer.EnsureNotServed(options.ApiSocket);
        }
        catch (IOException e)
        {
            store.Dispose();
            Console.Error.WriteLine($"applianced: {e.Message}");
            return DaemonExitCodes.Refused;
        }

        var restart = new SelfRestart();
        using (store)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(4));
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton(store);
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton(restart);
            builder.Services.AddSingleton(HalSet.Create(options));
            builder.Services.AddSingleton<PeerNode>();
            builder.Services.AddHostedService<PeerHostedService>();
            if (options.WebPort != 0)
            {
                // After the peer (registered above), so the pages start once the API's router is complete.
                builder.Services.AddSingleton<Web.WebServer>();
                builder.Services.AddHostedService<Web.WebHostedService>();
            }
            builder.Services.AddHostedService<SystemdStatusReporter>();
            builder.Services.AddApplianceSystemd();
            if (options.Lcd is { } device)
            {
                // The panel reconnects by itself; a missing device never holds up the daemon.
                builder.Services.AddSingleton<Appliance.Hal.Lcd.IFrontPanel>(_ => new Appliance.Hal.Lcd.Cfa635Panel(device, new Appliance.Hal.Lcd.Cfa635Options()));
                builder.Services.AddSingleton(sp => sp.GetRequiredService<PeerNode>().CreatePanel(sp.GetRequiredService<Appliance.Hal.Lcd.IFrontPanel>())!);
                builder.Services.AddHostedService<Lcd.LcdHostedService>();
            }
            using var host = builder.Build();
            host.Start();
            // READY=1 only now: the store is open, the API listens and the cluster is configured.
            host.Services.GetRequiredService<SystemdLifecycle>().NotifyReady();
            host.WaitForShutdown();
        }
        return restart.ExitOrExecIfRequested();
    }
}
