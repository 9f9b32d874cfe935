using System.Globalization;
using LiteDB;
using LiteDB.Engine;

namespace Appliance.Daemon.Store;

/// <summary>
/// LiteDB on the store's own file handles (<see cref="SyncedFile"/>): the same two files LiteDB
/// would open by name (NAME.db and NAME-log.db), made durable with fdatasync instead of fsync.
/// </summary>
public sealed partial class Store
{
    // Record ids compare byte for byte: LiteDB's default collation ignores case, under which the
    // keys "Room-A" and "room-a" are one _id (a write of the second fails, a read of it returns the
    // first, and a replicated batch holding both can never apply).
    private static readonly Collation Ordinal = new(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal);

    /// <summary>
    /// An open LiteDB and the two files under it; closing it closes LiteDB first, then drops an
    /// empty log as LiteDB does with the files it opens by name.
    /// </summary>
    private sealed class Engine(LiteDatabase db, SyncedFile data, SyncedFile log, string logPath) : IDisposable
    {
        public LiteDatabase Db { get; } = db;

        public void Dispose()
        {
            try { Db.Dispose(); }
            finally
            {
                var empty = log.Length == 0;
                data.Release();
                log.Release();
                if (empty) File.Delete(logPath);
            }
        }
    }

    private Engine _engine = null!;

    private void Attach(Engine engine)
    {
        _engine = engine;
        _db = engine.Db;
        _records = _db.GetCollection("records");
        _meta = _db.GetCollection("meta");
        _local = _db.GetCollection("local");
    }

    /// <summary>Opens the file with ordinal collation; a file created with another is rebuilt once.</summary>
    private static Engine OpenOrdinal(string path)
    {
        var created = new FileInfo(path).Length == 0; // created empty (and private) just before
        var engine = OpenEngine(path, created ? Ordinal : null);
        try
        {
            // The collation of an existing file is its own; asking for another one fails to open it.
            if (engine.Db.Pragma("COLLATION").AsString == Ordinal.ToString()) return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
        engine.Dispose();
        RebuildByName(path);
        // The rebuild keeps the file as it was beside it; the rebuilt file holds every record.
        File.Delete(SuffixPath(path, "-backup"));
        StoreFiles.Tighten(path);
        return OpenEngine(path, Ordinal);
    }

    private static Engine OpenEngine(string path, Collation? collation)
    {
        var data = SyncedFile.Open(path);
        var log = SyncedFile.Open(LogFilePath(path));
        try
        {
            return new Engine(new LiteDatabase(new LiteEngine(new EngineSettings { DataStream = data, LogStream = log, Collation = collation })), data, log, LogFilePath(path));
        }
        catch
        {
            data.Release();
            log.Release();
            throw;
        }
    }

    /// <summary>
    /// LiteDB's rebuild with ordinal collation, on a file no engine has open: it works on file names
    /// only (a new file beside the old one, then renames), so it runs on an engine of its own.
    /// </summary>
    private static void RebuildByName(string path)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        db.Rebuild(new RebuildOptions { Collation = Ordinal });
        if (db.Pragma("COLLATION").AsString != Ordinal.ToString())
            throw new InvalidOperationException($"rebuilding with collation {Ordinal} left {db.Pragma("COLLATION").AsString}");
    }
}
