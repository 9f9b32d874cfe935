using System.Text;
using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Persistence;

/// <summary>
/// The journal in front of the store file (issue 19): a commit is durable once its frame is, and a
/// store opened on what a crash leaves (the file, LiteDB's log and the journal's segments as they
/// are on disk at that instant) holds every acknowledged commit.
/// </summary>
public sealed class StoreJournalTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Mutation Set(string key, string? value) => new(Scopes.Cluster, "bridges", key, value);

    /// <summary>The files of a store as they are now, copied to <paramref name="to"/>: what a SIGKILL would leave.</summary>
    private static void CopyAsCrashed(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from).Where(f => Path.GetFileName(f) != "applianced.lock"))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    [Fact]
    public void Commits_held_only_in_the_journal_are_in_the_store_after_a_crash()
    {
        var live = _dir["live"];
        string peerId;
        IReadOnlyDictionary<string, long> vector;
        using (var store = StoreClass.Open(live, null, Timeout.InfiniteTimeSpan))
        {
            peerId = store.PeerId;
            store.Write([Set("before", "{\"a\":0}")]);
            store.SetLocal("flushes-the-journal", "1"); // a change made in the file moves the journal into it first
            for (var i = 0; i < 50; i++) store.Write([Set($"b{i}", $"{{\"a\":{i}}}")]);
            store.Write([Set("b7", null)]);
            store.ApplyRemote([new Operation("peer-x", 1, new StoredRecord(Scopes.Cluster, "bridges", "remote", "{\"r\":1}", new RecordVersion(5L << 16, "peer-x")), RecordVersion.None)],
                [new OpRange("peer-x", 0, 1)]);
            vector = store.VersionVector();
            CopyAsCrashed(live, _dir["crashed"]);
            // Nothing moved them into the file: the copy's file alone would not have them.
            Assert.NotEmpty(Journal.Files(_dir["crashed"]));
        }

        using var reopened = StoreClass.Open(_dir["crashed"]);
        Assert.Equal(peerId, reopened.PeerId);
        Assert.Equal(vector, reopened.VersionVector());
        Assert.Equal("{\"a\":49}", reopened.Get(Scopes.Cluster, "bridges", "b49")!.Value);
        Assert.True(reopened.Get(Scopes.Cluster, "bridges", "b7")!.Deleted);
        Assert.Equal("{\"r\":1}", reopened.Get(Scopes.Cluster, "bridges", "remote")!.Value);
        Assert.Equal(51, reopened.List(Scopes.Cluster, "bridges").Count); // before, b0..b49 without b7, remote
        // Replayed into the file at open, and the journal started again.
        Assert.Single(Journal.Files(_dir["crashed"]));
        var next = reopened.Write([Set("after", "{}")]).Operations.Single();
        Assert.Equal(vector[peerId] + 1, next.Seq);
    }

    [Fact]
    public void Reads_see_the_journal_and_the_file_together_while_the_flusher_waits()
    {
        using var store = StoreClass.Open(_dir.Path, null, Timeout.InfiniteTimeSpan);
        for (var i = 0; i < 10; i++) store.Write([Set($"b{i:D2}", "{\"in\":\"file\"}")]);
        store.SetLocal("x", "1"); // moves the ten into the file
        store.Write([Set("b03", "{\"in\":\"journal\"}"), Set("b10", "{\"in\":\"journal\"}"), Set("b05", null)]);

        Assert.Equal("{\"in\":\"journal\"}", store.Get(Scopes.Cluster, "bridges", "b03")!.Value);
        var listed = store.List(Scopes.Cluster, "bridges");
        Assert.Equal(["b00", "b01", "b02", "b03", "b04", "b06", "b07", "b08", "b09", "b10"], listed.Select(r => r.Key));
        Assert.Equal(11, store.RecordCount);
        Assert.Equal(3, store.JournalRecords); // b03, b10 and b05's tombstone wait for the flusher
        var paged = store.ScanOps("cluster/bridges", null, 4).Select(o => o.Record.Key).ToList();
        Assert.Equal(["b00", "b01", "b02", "b03"], paged);
        Assert.Equal(["b04", "b05", "b06", "b07"], store.ScanOps("cluster/bridges", "cluster/bridges/b03", 4).Select(o => o.Record.Key));
        Assert.Equal(["b08", "b09", "b10"], store.ScanOps("cluster/bridges", "cluster/bridges/b07", 4).Select(o => o.Record.Key));
        Assert.Equal("{\"in\":\"journal\"}", store.GetOps(["cluster/bridges/b10", "cluster/bridges/b01"]).Single(o => o.Record.Key == "b10").Record.Value);
    }

    [Fact]
    public async Task The_flusher_moves_commits_into_the_file_and_drops_the_segments_it_held()
    {
        using var store = StoreClass.Open(_dir.Path, null, TimeSpan.FromMilliseconds(20));
        for (var i = 0; i < 20; i++) store.Write([Set($"b{i}", "{}")]);
        await Eventually.WaitUntil(() => Task.FromResult(Journal.SegmentFiles(_dir.Path).Count() == 1 && JournalFrames(_dir.Path) == 0), TimeSpan.FromSeconds(20),
            "the journal emptied into the file");
        Assert.Null(store.LastFlushError);
        Assert.Equal(0, store.JournalRecords);
        Assert.Equal(20, store.List(Scopes.Cluster, "bridges").Count);
    }

    [Fact]
    public async Task The_flusher_runs_at_a_lower_scheduling_weight_than_the_commits()
    {
        using var store = StoreClass.Open(_dir.Path, null, TimeSpan.FromMilliseconds(20));
        store.Write([Set("b", "{}")]);
        string? flusher = null;
        await Eventually.WaitUntil(() => Task.FromResult((flusher = ThreadNamed("store flusher")) is not null), TimeSpan.FromSeconds(10), "the flusher thread");
        // Ten steps below the committer, whatever nice the test process itself runs at.
        var lower = Math.Min(19, NiceOf(ThreadNamed("store committer")!) + 10);
        await Eventually.WaitUntil(() => Task.FromResult(NiceOf(flusher!) == lower), TimeSpan.FromSeconds(10), $"the flusher at nice {lower}");
    }

    [Fact]
    public void A_commit_that_finds_the_journal_far_behind_moves_it_into_the_file_itself()
    {
        // The flusher waits for ever and the backlog stays below its wake-up: only the stall moves anything.
        using var store = StoreClass.Open(_dir.Path, null, Timeout.InfiniteTimeSpan);
        store.StallBacklog = 100;
        store.Write(Enumerable.Range(0, 60).Select(i => Set($"a{i}", "{}")).ToList());
        Assert.Equal(60, store.JournalRecords);
        store.Write(Enumerable.Range(0, 60).Select(i => Set($"b{i}", "{}")).ToList());
        Assert.Equal(0, store.JournalRecords);
        Assert.Equal(0, JournalFrames(_dir.Path));
        store.ApplyRemote([new Operation("peer-x", 1, new StoredRecord(Scopes.Cluster, "bridges", "remote", "{}", new RecordVersion(5L << 16, "peer-x")), RecordVersion.None)],
            [new OpRange("peer-x", 0, 1)]);
        Assert.Equal(1, store.JournalRecords); // below the stall again: waits for the flusher
        // A recovery's merge, the bulk path, stalls the same way.
        store.MergeRecords(Enumerable.Range(0, 110).Select(i => new Operation("peer-x", 2 + i,
            new StoredRecord(Scopes.Cluster, "bridges", $"m{i}", "{}", new RecordVersion((6L + i) << 16, "peer-x")), RecordVersion.None)).ToList());
        Assert.Equal(0, store.JournalRecords);
        Assert.Null(store.LastFlushError);
        Assert.Equal(231, store.List(Scopes.Cluster, "bridges").Count);
    }

    private static string? ThreadNamed(string name) => Directory.EnumerateDirectories("/proc/self/task")
        .FirstOrDefault(t => File.ReadAllText(Path.Combine(t, "comm")).TrimEnd('\n') == name);

    /// <summary>/proc/self/task/TID/stat: "tid (comm) state ..." with the nice value the 17th field after the name.</summary>
    private static int NiceOf(string task)
    {
        var stat = File.ReadAllText(Path.Combine(task, "stat"));
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16]);
    }

    /// <summary>The bytes of frames in the journal's segments (each starts with a 20-byte header).</summary>
    private static long JournalFrames(string dir) => Journal.SegmentFiles(dir).Sum(f => new FileInfo(f).Length - 20);

    [Fact]
    public void Replay_stops_at_a_frame_cut_short_or_damaged_and_ignores_another_journal()
    {
        var id = Guid.NewGuid();
        using (var journal = Journal.Start(_dir.Path, id, 10))
        {
            for (var i = 1; i <= 4; i++) journal.Append(Encoding.UTF8.GetBytes($"frame {i}"));
            Assert.Equal(14, journal.Last);
        }
        var segment = Journal.SegmentFiles(_dir.Path).Single();
        Assert.Equal(["frame 1", "frame 2", "frame 3", "frame 4"], Payloads(Journal.Read(_dir.Path, id, 10)));
        Assert.Equal(["frame 3", "frame 4"], Payloads(Journal.Read(_dir.Path, id, 12)));
        Assert.Empty(Journal.Read(_dir.Path, Guid.NewGuid(), 10));

        // A crash in the middle of the last append: that frame was never acknowledged.
        var bytes = File.ReadAllBytes(segment);
        File.WriteAllBytes(segment, bytes[..^3]);
        Assert.Equal(["frame 1", "frame 2", "frame 3"], Payloads(Journal.Read(_dir.Path, id, 10)));

        // A damaged byte in frame 2's payload ends the replay before it.
        var damaged = File.ReadAllBytes(segment);
        var at = Encoding.UTF8.GetString(damaged).IndexOf("frame 2", StringComparison.Ordinal);
        damaged[at] ^= 0xFF;
        File.WriteAllBytes(segment, damaged);
        Assert.Equal(["frame 1"], Payloads(Journal.Read(_dir.Path, id, 10)));
    }

    [Fact]
    public void A_segment_made_of_the_spare_replays_only_the_frames_written_into_it_since()
    {
        var id = Guid.NewGuid();
        static byte[] Frame(string text) => Encoding.UTF8.GetBytes(text.PadRight(100, '.'));
        using var journal = Journal.Start(_dir.Path, id, 0);
        for (var i = 1; i <= 6; i++) journal.Append(Frame($"old {i}"));
        var first = Journal.SegmentFiles(_dir.Path).Single();
        var firstLength = new FileInfo(first).Length;
        journal.Rotate();
        journal.Append(Frame("frame 7"));
        // The store file holds frames 1-6 (its mark says 6): their segment becomes the spare.
        journal.DeleteBeforeCurrent();
        Assert.Single(Journal.SegmentFiles(_dir.Path));
        Assert.Equal(2, Journal.Files(_dir.Path).Count());
        Assert.EndsWith(Journal.SpareName, Journal.Files(_dir.Path).Last());

        journal.Rotate(); // the next segment is the spare, written over from its header on
        Assert.Equal(2, Journal.SegmentFiles(_dir.Path).Count());
        Assert.DoesNotContain(Journal.Files(_dir.Path), f => f.EndsWith(Journal.SpareName));
        var reused = Journal.SegmentFiles(_dir.Path).Last();
        Assert.Equal(firstLength, new FileInfo(reused).Length);
        // Two frames of the old ones' size: the bytes after them are old frame 3, whole and valid.
        journal.Append(Frame("frame 8"));
        journal.Append(Frame("frame 9"));
        Assert.Equal(firstLength, new FileInfo(reused).Length);

        Assert.Equal(["frame 7", "frame 8", "frame 9"], Payloads(Journal.Read(_dir.Path, id, 6)).Select(p => p.TrimEnd('.')));
        Assert.Equal(["frame 8", "frame 9"], Payloads(Journal.Read(_dir.Path, id, 7)).Select(p => p.TrimEnd('.')));
        Assert.Empty(Journal.Read(_dir.Path, id, 9));

        // After a compaction (the file holds every frame): one new, small segment, no spare.
        journal.DeleteBeforeCurrent();
        Assert.Contains(Journal.Files(_dir.Path), f => f.EndsWith(Journal.SpareName));
        journal.Shrink();
        Assert.Equal(20, new FileInfo(Journal.Files(_dir.Path).Single()).Length);
        journal.Append(Frame("frame 10"));
        Assert.Equal(["frame 10"], Payloads(Journal.Read(_dir.Path, id, 9)).Select(p => p.TrimEnd('.')));

        Journal.DeleteAll(_dir.Path);
        Assert.Empty(Journal.Files(_dir.Path));
    }

    [Fact]
    public void A_crash_after_segments_were_reused_leaves_every_commit_and_brings_back_no_old_one()
    {
        var live = _dir["live"];
        using (var store = StoreClass.Open(live, null, Timeout.InfiniteTimeSpan))
        {
            for (var round = 0; round < 4; round++)
            {
                for (var i = 0; i < 10; i++) store.Write([Set($"b{i}", $"{{\"round\":{round}}}")]);
                store.SetLocal("flushes-the-journal", round.ToString()); // moves it into the file: a segment becomes the spare, the spare a segment
            }
            store.Write([Set("b3", "{\"round\":\"last\"}"), Set("late", "{}")]);
            Assert.Contains(Journal.Files(live), f => f.EndsWith(Journal.SpareName));
            CopyAsCrashed(live, _dir["crashed"]);
        }

        using var reopened = StoreClass.Open(_dir["crashed"]);
        Assert.Equal("{\"round\":\"last\"}", reopened.Get(Scopes.Cluster, "bridges", "b3")!.Value);
        Assert.Equal("{\"round\":3}", reopened.Get(Scopes.Cluster, "bridges", "b4")!.Value);
        Assert.NotNull(reopened.Get(Scopes.Cluster, "bridges", "late"));
        Assert.Equal(11, reopened.List(Scopes.Cluster, "bridges").Count);
        Assert.Single(Journal.Files(_dir["crashed"])); // started anew at open, without the spare
    }

    private static IEnumerable<string> Payloads(List<(long Number, byte[] Payload)> frames) => frames.Select(f => Encoding.UTF8.GetString(f.Payload));
}
