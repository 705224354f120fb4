package org.lenet5.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A web mirror serving {@code <base><file>.gz}. Connecting is bounded (name lookup and TCP connect a few seconds
 * each), so an unreachable mirror costs seconds and one line; a mirror that cannot be reached for the first file
 * is not asked for the others.
 */
final class MirrorSource implements DataSource {

    static final int CONNECT_TIMEOUT_MS = 3_000, READ_TIMEOUT_MS = 20_000, LOOKUP_TIMEOUT_MS = 3_000;

    private final String baseUrl;

    MirrorSource(String baseUrl) { this.baseUrl = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/"; }

    @Override
    public String describe() { return "mirror " + baseUrl; }

    @Override
    public void fetch(List<String> wanted, VerifiedInstaller installer) throws SourceUnavailableException {
        for (String name : wanted) {
            String url = baseUrl + name + ".gz";
            HttpURLConnection c = null;
            try {
                c = connect(url);
                int code = c.getResponseCode();
                if (code != HttpURLConnection.HTTP_OK) {
                    installer.log().println(Sha256Table.key(installer.kind(), name) + ": " + url + " answered HTTP "
                            + code);
                    continue;
                }
                try (InputStream in = DownloadProgress.wrap(c.getInputStream(), name + ".gz", c.getContentLengthLong())) {
                    installer.install(name, in, url);
                }
            } catch (UnknownHostException | ConnectException | NoRouteToHostException e) {
                throw new SourceUnavailableException("unreachable (" + IdxReader.oneLine(e) + ")");
            } catch (SocketTimeoutException e) {
                throw new SourceUnavailableException("timed out (" + IdxReader.oneLine(e) + ")");
            } catch (IOException e) {
                installer.log().println(Sha256Table.key(installer.kind(), name) + ": download from " + url
                        + " failed (" + IdxReader.oneLine(e) + ")");
            } finally {
                if (c != null) c.disconnect();
            }
        }
    }

    private static HttpURLConnection connect(String url) throws IOException {
        URI uri = URI.create(url);
        lookUp(uri.getHost());
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(READ_TIMEOUT_MS);
        c.setInstanceFollowRedirects(true);
        c.setRequestProperty("User-Agent", "lenet5-data-fetch");
        c.connect();
        return c;
    }

    /** Java's name lookup has no timeout of its own; a stuck resolver must not stall the fetch for minutes. */
    private static void lookUp(String host) throws IOException {
        CompletableFuture<InetAddress> lookup = CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try {
            lookup.get(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no answer from the name server for " + host + " within "
                    + LOOKUP_TIMEOUT_MS / 1000 + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof UnknownHostException u ? u : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
