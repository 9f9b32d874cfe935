using SharpPcap;
using SharpPcap.LibPcap;

namespace Appliance.Tests.Harness;

/// <summary>
/// A live capture with SharpPcap on a device inside a network namespace. libpcap opens devices
/// of the calling thread's namespace, so the capture runs on its own thread that first joins the
/// namespace with setns(2). On the switch bridge (opened promiscuous, so the bridge also passes up
/// the frames it forwards between ports) it sees every frame between test hosts.
/// <code>await using var capture = await Capture.StartAsync(network.SwitchNamespace, network.Bridge);</code>
/// </summary>
public sealed class Capture : IAsyncDisposable
{
    private readonly List<CapturedPacket> _packets = [];
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(1);
    private long _stopRequested;

    public string Namespace { get; }
    public string Device { get; }

    private Capture(string ns, string device)
    {
        Namespace = ns;
        Device = device;
    }

    public static async Task<Capture> StartAsync(string ns, string device)
    {
        var capture = new Capture(ns, device);
        new Thread(capture.Run) { IsBackground = true, Name = $"capture {ns}/{device}" }.Start();
        await capture._started.Task.WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        return capture;
    }

    /// <summary>What was captured so far, in capture order.</summary>
    public IReadOnlyList<CapturedPacket> Packets
    {
        get { lock (_packets) return _packets.ToList(); }
    }

    /// <summary>TCP connections reassembled from <see cref="Packets"/>.</summary>
    public IReadOnlyList<TcpConnection> TcpConnections() => TcpStreams.Reassemble(Packets);

    private void Run()
    {
        LibPcapLiveDevice device;
        try
        {
            NetnsThread.Join(Namespace);
            // New(), not Instance: the cached list belongs to whichever namespace asked first.
            device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == Device)
                ?? throw new HarnessException($"no capture device {Device} in namespace {Namespace}");
            device.Open(new DeviceConfiguration { Mode = DeviceModes.Promiscuous, ReadTimeout = 50, Snaplen = 65535 });
        }
        catch (Exception e)
        {
            _started.TrySetException(e);
            return;
        }
        _started.SetResult();
        try
        {
            while (true)
            {
                var status = device.GetNextPacket(out var capture);
                if (status == GetPacketStatus.PacketRead)
                {
                    var raw = capture.GetPacket();
                    var packet = PacketDecoder.Decode(raw.Timeval.Date, raw.LinkLayerType, raw.Data);
                    lock (_packets) _packets.Add(packet);
                }
                if (status is GetPacketStatus.Error) throw new HarnessException($"capture on {Device}: {device.LastError}");
                // Stop once the kernel buffer is drained (a read timed out), or after a bounded drain
                // when traffic never pauses (a peer retrying in a loop).
                var stop = Interlocked.Read(ref _stopRequested);
                if (stop != 0 && (status != GetPacketStatus.PacketRead || System.Diagnostics.Stopwatch.GetElapsedTime(stop) > DrainLimit)) break;
            }
            _stopped.TrySetResult();
        }
        catch (Exception e)
        {
            _stopped.TrySetException(e);
        }
        finally
        {
            device.Close();
        }
    }

    /// <summary>Stops after the packets already in the kernel's buffer are read.</summary>
    public async Task StopAsync()
    {
        Interlocked.CompareExchange(ref _stopRequested, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
        await _stopped.Task.WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_started.Task.IsCompletedSuccessfully) return;
        try { await StopAsync().ConfigureAwait(false); }
        catch (Exception e) when (e is TimeoutException or HarnessException) { }
    }
}
