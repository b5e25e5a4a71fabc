package io.ferry.cache;

import io.ferry.gateway.BufferSettings.Ignored;
import io.ferry.gateway.ResponseTee;
import io.ferry.http.Exchange;
import io.ferry.http.hook.SubrequestSink;
import io.ferry.model.LocationSettings;
import io.ferry.upstream.NextUpstream;
import io.ferry.variable.RequestScope;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the protocols (proxy, FastCGI) ask of the cache: before dialing, whether the request is
 * answered from it; once the upstream's head arrived, a writer taking a copy of the response.
 */
public final class HttpCache {
    /** The protocols that cache, each with its directives' prefix (PREFIX_cache, PREFIX_cache_path, ...). */
    public enum Protocol {
        PROXY, FASTCGI, UWSGI, SCGI;

        public String prefix() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A request the cache took part in: its policy, key and $upstream_cache_status. */
    static final class Lookup {
        final CachePolicy policy;
        final CacheZone zone;
        final String key;
        final String hex;
        /** The variant's file where the key's entry varies and the request asks for another one than the key's own file holds. */
        String secondary;
        /** PREFIX_cache_revalidate: the expired entry's validators, sent upstream as conditions. */
        String lastModified;
        String etag;
        String status;
        int uses;
        /** An expired entry exists and stale-if-error still covers it. */
        boolean staleError;
        /** PREFIX_cache_lock: when waiting for another request ends, whether this request ended meanwhile, and whether its lock timed out (its response is then not stored). */
        long waitUntil;
        boolean ended;
        boolean uncacheable;

        Lookup(CachePolicy policy, CacheZone zone, String key, String hex) {
            this.policy = policy;
            this.zone = zone;
            this.key = key;
            this.hex = hex;
        }

        /** The name of the file the request's entry is in. */
        String file() {
            return secondary != null ? secondary : hex;
        }

        java.nio.file.Path path() {
            return zone.file(file());
        }
    }

    /** An entry opened for reading. */
    private record Opened(RandomAccessFile raf, CacheFile entry) {
        void close() {
            CachedResponse.close(raf);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger("io.ferry.error");

    private HttpCache() {
    }

    /** Whether the location caches through {@code protocol} (the upstream then gets no conditional or range headers of the client's). */
    public static boolean enabled(LocationSettings settings, Protocol protocol) {
        return policy(settings, protocol) != null;
    }

    private static CachePolicy policy(LocationSettings settings, Protocol protocol) {
        CacheModule.Policies p = settings.module(CacheModule.SETTINGS);
        return p == null ? null : p.byProtocol().get(protocol);
    }

    /**
     * Answers the request from a fresh entry, or runs {@code upstream} (now, or once another request
     * populating the key under PREFIX_cache_lock is done) after noting MISS, EXPIRED or BYPASS for
     * the response to come.
     */
    public static void answer(Exchange ex, Protocol protocol, Runnable upstream) {
        CachePolicy policy = policy(ex.settings(), protocol);
        if (policy == null || !policy.methods().contains(ex.request().method().name())) {
            upstream.run();
            return;
        }
        CacheZone zone = policy.zone();
        if (zone == null) {
            String name = policy.zoneName().render(ex);
            if (name.isEmpty()) {
                upstream.run();
                return;
            }
            zone = policy.zones().get(name);
            if (zone == null) {
                LOG.error("*{} cache \"{}\" not found", ex.connection(), name);
                ex.sendError(HttpResponseStatus.INTERNAL_SERVER_ERROR, !ex.requestComplete());
                return;
            }
        }
        CacheIndex index = zone.index();
        index.manage();
        String key = policy.key().render(ex);
        Lookup lookup = new Lookup(policy, zone, key, md5(key));
        ex.moduleContext(CacheModule.CONTEXT, lookup);
        lookup.uses = index.use(lookup.hex, System.currentTimeMillis());
        if (CachePolicy.any(policy.bypass(), ex)) {
            lookup.status = "BYPASS";
            upstream.run();
            return;
        }
        look(ex, lookup, upstream);
    }

    private static void look(Exchange ex, Lookup lookup, Runnable upstream) {
        long now = System.currentTimeMillis();
        int error = lookup.zone.index().error(lookup.hex, now);
        if (error != 0) {
            lookup.status = "HIT";
            if (!ex.errorPage(error)) {
                ex.sendError(HttpResponseStatus.valueOf(error), false);
            }
            return;
        }
        Opened found = variant(ex, lookup);
        if (found != null && found.entry().validUntil() <= now) {
            if (!expired(ex, lookup, found, now)) {
                upstream.run();
            }
            return;
        }
        if (found == null) {
            lookup.status = "MISS";
            // only a new element is locked, as in nginx; an expired one is PREFIX_cache_use_stale's
            if (!CacheLock.waits(ex, lookup, () -> look(ex, lookup, upstream))) {
                upstream.run();
            }
            return;
        }
        lookup.status = "HIT";
        CachedResponse.send(ex, found.raf(), found.entry());
    }

    /**
     * The entry the request asks for: the key's own file, unless that holds a representation
     * varying by headers whose values in this request differ; then the variant's own file, as
     * nginx's secondary key. Null when absent.
     */
    private static Opened variant(Exchange ex, Lookup lookup) {
        lookup.secondary = null;
        Opened found = open(lookup, lookup.path());
        if (found == null || found.entry().vary().isEmpty()) {
            return found;
        }
        String variant = Vary.variant(lookup.hex, found.entry().vary(), ex);
        if (variant.equals(found.entry().variant())) {
            return found;
        }
        found.close();
        lookup.secondary = variant;
        found = open(lookup, lookup.path());
        if (found != null && !variant.equals(found.entry().variant())) {
            found.close();
            return null;
        }
        if (found != null) {
            // the variant's own file is what inactive= judges, as nginx's secondary node
            lookup.zone.index().touch(variant, System.currentTimeMillis());
        }
        return found;
    }

    /** The entry for the lookup's key in {@code file}, or null where there is none, or one of another key or format. */
    private static Opened open(Lookup lookup, java.nio.file.Path file) {
        RandomAccessFile raf;
        try {
            raf = new RandomAccessFile(file.toFile(), "r");
        } catch (FileNotFoundException e) {
            return null;
        }
        CacheFile entry = null;
        try {
            entry = CacheFile.read(raf);
        } catch (IOException e) {
            // unreadable: as if absent
        }
        if (entry == null || !entry.key().equals(lookup.key)) {
            CachedResponse.close(raf);
            return null;
        }
        return new Opened(raf, entry);
    }

    /**
     * An expired entry: one request refreshes it; the others get it as UPDATING where
     * "updating" or the entry's stale-while-revalidate allows, else they go upstream too. With
     * PREFIX_cache_background_update the refreshing request is answered STALE at once too, and a
     * subrequest refreshes the entry behind it.
     */
    private static boolean expired(Exchange ex, Lookup lookup, Opened found, long now) {
        CacheFile entry = found.entry();
        StaleUse stale = lookup.policy.stale();
        CacheIndex index = lookup.zone.index();
        String file = lookup.file();
        boolean mayServeStale = stale.updating()
                || now < entry.validUntil() + stale.extension(entry, "stale-while-revalidate") * 1000;
        boolean background = mayServeStale && lookup.policy.backgroundUpdate();
        StaleUse.Claim claim;
        if (ex.isSubrequest() && StaleUse.refreshingFor(index, file, ex.requestId())) {
            // the background refresh itself: it asks the upstream, never answered stale
        } else if ((claim = StaleUse.beginRefresh(index, file, background ? ex.requestId() : "")) != null) {
            if (background) {
                lookup.status = "STALE";
                // held before the stale answer goes: its write may complete the request at once
                Runnable release = ex.holdEnd();
                CachedResponse.send(ex, found.raf(), entry);
                refreshInBackground(ex, index, file, claim, release);
                return true;
            }
            ex.onEnd(() -> StaleUse.endRefresh(index, file, claim));
        } else if (mayServeStale) {
            lookup.status = "UPDATING";
            CachedResponse.send(ex, found.raf(), entry);
            return true;
        }
        found.close();
        lookup.staleError = now < entry.validUntil() + stale.extension(entry, "stale-if-error") * 1000;
        lookup.status = "EXPIRED";
        // nginx keeps validators for a 200 or 206 only
        if (lookup.policy.revalidate() && (entry.status() == 200 || entry.status() == 206)) {
            lookup.lastModified = entry.header("Last-Modified");
            lookup.etag = entry.header("ETag");
        }
        return false;
    }

    /**
     * PREFIX_cache_revalidate: the conditions a request refreshing an expired entry sends upstream
     * (If-Modified-Since, If-None-Match), given to {@code add}; none for any other request.
     */
    public static void conditions(Exchange ex, java.util.function.BiConsumer<String, String> add) {
        Lookup lookup = ex.moduleContext(CacheModule.CONTEXT);
        if (lookup == null || !"EXPIRED".equals(lookup.status)) {
            return;
        }
        if (lookup.lastModified != null) {
            add.accept("If-Modified-Since", lookup.lastModified);
        }
        if (lookup.etag != null) {
            add.accept("If-None-Match", lookup.etag);
        }
    }

    /**
     * The upstream answered 304 to the conditions of {@link #conditions}: the entry is valid again,
     * for as long as the 304's headers say, else its own stored headers counted from now, else
     * PREFIX_cache_valid for its status, and answers
     * as REVALIDATED. False where the 304 is not an answer to a revalidation: it passes on as it is.
     */
    public static boolean revalidated(Exchange ex, HttpHeaders upstream, Set<Ignored> ignored) {
        Lookup lookup = ex.moduleContext(CacheModule.CONTEXT);
        if (lookup == null || !"EXPIRED".equals(lookup.status) || lookup.lastModified == null && lookup.etag == null) {
            return false;
        }
        Opened found = open(lookup, lookup.path());
        if (found == null) {
            return false;
        }
        CacheFile entry = found.entry();
        long now = System.currentTimeMillis();
        long validUntil = Freshness.fromHeaders(upstream, ignored, now);
        if (validUntil <= 0) {
            // nginx reads the stored head again, so its Cache-Control or Expires counts from now
            HttpHeaders stored = new io.netty.handler.codec.http.DefaultHttpHeaders(false);
            entry.headers().forEach(h -> stored.add(h.getKey(), h.getValue()));
            validUntil = Freshness.fromHeaders(stored, ignored, now);
        }
        if (validUntil <= 0) {
            long valid = lookup.policy.validFor(entry.status());
            validUntil = valid > 0 ? now + valid : 0;
        }
        if (validUntil > 0) {
            try {
                CacheFile.touch(lookup.path(), validUntil, now / 1000);
                entry = entry.revalidated(validUntil, now / 1000);
            } catch (IOException e) {
                LOG.warn("cache \"{}\": cannot update {}: {}", lookup.zone.name(), lookup.path(), e.getMessage());
            }
        }
        lookup.status = "REVALIDATED";
        CachedResponse.send(ex, found.raf(), entry);
        return true;
    }

    /** nginx's background update: a subrequest for the same URI whose response only feeds the cache. */
    private static void refreshInBackground(Exchange ex, CacheIndex index, String file, StaleUse.Claim claim, Runnable release) {
        SubrequestSink dropped = new SubrequestSink() {
            @Override
            public boolean wantsBody() {
                // read whole, so that the cache stores it; the chunks are then dropped
                return true;
            }

            @Override
            public void done(Exchange subrequest, boolean complete) {
                StaleUse.endRefresh(index, file, claim);
                release.run();
            }
        };
        if (ex.subrequest(ex.uri(), ex.args(), dropped) == null) {
            StaleUse.endRefresh(index, file, claim);
            release.run();
        }
    }

    /** Whether an expired entry may answer for an upstream that failed by {@code cause} (PREFIX_cache_use_stale, stale-if-error). */
    public static boolean staleAllowed(Exchange ex, NextUpstream.Condition cause) {
        Lookup lookup = ex.moduleContext(CacheModule.CONTEXT);
        return lookup != null && "EXPIRED".equals(lookup.status)
                && (lookup.policy.stale().conditions().contains(cause)
                        // stale-if-error covers failures, not an answer's status (nginx since 1.19.3)
                        || lookup.staleError && !cause.isStatus());
    }

    /** Answers with the expired entry (STALE) where {@link #staleAllowed} and the entry is still there. */
    public static boolean serveStale(Exchange ex, NextUpstream.Condition cause) {
        if (!staleAllowed(ex, cause)) {
            return false;
        }
        Lookup lookup = ex.moduleContext(CacheModule.CONTEXT);
        Opened found = open(lookup, lookup.path());
        if (found == null) {
            return false;
        }
        lookup.status = "STALE";
        CachedResponse.send(ex, found.raf(), found.entry());
        return true;
    }

    /** PREFIX_cache_convert_head: a HEAD the cache may store goes upstream as GET. */
    public static boolean headAsGet(Exchange ex) {
        Lookup lookup = ex.moduleContext(CacheModule.CONTEXT);
        return lookup != null && ex.isHead() && lookup.policy.convertHead();
    }

    /**
     * A writer for the response whose upstream head is {@code upstream} and whose head for the
     * client is {@code down} (taken now, before the header filters change it), or null when the
     * response is not to be stored.
     */
    public static ResponseTee store(Exchange ex, int status, HttpHeaders upstream, HttpResponse down, Set<Ignored> ignored) {
        Lookup lookup = ex.moduleContext(CacheModule.CONTEXT);
        if (lookup == null || lookup.uncacheable || (ex.isHead() && !lookup.policy.convertHead()) || lookup.uses < lookup.policy.minUses()
                || CachePolicy.any(lookup.policy.noCache(), ex)) {
            return null;
        }
        long now = System.currentTimeMillis();
        long validUntil = Freshness.validUntil(status, upstream, ignored, lookup.policy, now);
        String vary = ignored.contains(Ignored.VARY) ? "" : Vary.names(upstream);
        if (validUntil == Freshness.NEVER || vary.equals(Vary.UNCACHEABLE)) {
            return null;
        }
        String variant = vary.isEmpty() ? "" : Vary.variant(lookup.hex, vary, ex);
        // a variant goes to the file it was looked for in only when it varies the same way (nginx's update_variant)
        String file = variant.equals(lookup.secondary) ? lookup.secondary : lookup.hex;
        return CacheWriter.open(lookup.zone, file,
                CacheFile.header(validUntil, now / 1000, lookup.key, variant, vary, status, down.status().reasonPhrase(),
                        CachedResponse.storedHeaders(down.headers())));
    }

    /**
     * PREFIX_intercept_errors answers {@code status} with an error_page: while the status is
     * cacheable, the key answers so without asking the upstream (nginx keeps the status alone).
     */
    public static void storeError(Exchange ex, int status, HttpHeaders upstream, Set<Ignored> ignored) {
        Lookup lookup = ex.moduleContext(CacheModule.CONTEXT);
        if (lookup == null || lookup.uncacheable || lookup.uses < lookup.policy.minUses() || CachePolicy.any(lookup.policy.noCache(), ex)) {
            return;
        }
        long validUntil = Freshness.validUntil(status, upstream, ignored, lookup.policy, System.currentTimeMillis());
        if (validUntil != Freshness.NEVER) {
            lookup.zone.index().error(lookup.hex, status, validUntil);
        }
    }

    /** $upstream_cache_status: empty where the cache took no part. */
    static String status(RequestScope scope) {
        Lookup lookup = scope.moduleContext(CacheModule.CONTEXT);
        return lookup == null ? null : lookup.status;
    }

    private static String md5(String key) {
        return HexFormat.of().formatHex(Vary.md5().digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
