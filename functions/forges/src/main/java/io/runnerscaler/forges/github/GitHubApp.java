package io.runnerscaler.forges.github;

import java.util.Objects;

/**
 * A GitHub App installed on the organisation or repository whose runners the scaler manages. It needs the
 * "Self-hosted runners" organisation permission (read and write), or "Administration" for repository runners.
 *
 * @param appId                the App's id (or client id), the JWT issuer
 * @param installationId       the installation on the organisation or repository
 * @param privateKeyParameter  SSM SecureString holding the App's PEM private key
 */
public record GitHubApp(String appId, long installationId, String privateKeyParameter) {

    public GitHubApp {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(privateKeyParameter, "privateKeyParameter");
    }
}
