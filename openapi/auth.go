package openapi

import (
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/restsql/restsql/catalog"
)

// auth maps the document's security requirement to the catalog's auth
// block, with placeholders named like the DSN's properties.
func (im *importer) auth() *catalog.Auth {
	reqs := im.doc.Security
	if len(reqs) == 0 {
		reqs = im.operationSecurity()
	}
	if len(reqs) == 0 && im.doc.Components != nil && len(im.doc.Components.SecuritySchemes) > 0 {
		// Schemes defined but required nowhere: each is a candidate.
		for _, name := range sortedKeys(im.doc.Components.SecuritySchemes) {
			reqs = append(reqs, openapi3.SecurityRequirement{name: nil})
		}
		im.note("The document defines security schemes but requires none; the first usable one is the catalog's auth.")
	}
	if len(reqs) == 0 || im.doc.Components == nil {
		im.note("The document declares no security scheme: the catalog has no auth (the DSN's AuthScheme property can set one).")
		return nil
	}
	var skipped []string
	for _, req := range reqs {
		for _, name := range sortedKeys(req) {
			ref := im.doc.Components.SecuritySchemes[name]
			if ref == nil || ref.Value == nil {
				skipped = append(skipped, name+" (not defined)")
				continue
			}
			a, why := schemeAuth(ref.Value, req[name])
			if a == nil {
				skipped = append(skipped, name+" ("+why+")")
				continue
			}
			if len(skipped) > 0 {
				im.note("Security schemes not used: %s.", strings.Join(skipped, ", "))
			}
			im.note("Auth: security scheme %s; the placeholders are filled from the DSN's properties of the same names, a SecretsFile or the environment.", name)
			if others := otherSchemes(reqs, name); len(others) > 0 {
				im.note("The document also accepts %s; the DSN's AuthScheme property can switch to one of them.", strings.Join(others, ", "))
			}
			return a
		}
	}
	im.note("No supported security scheme (%s): the catalog has no auth.", strings.Join(skipped, ", "))
	return nil
}

// otherSchemes lists the security schemes of reqs other than chosen.
func otherSchemes(reqs openapi3.SecurityRequirements, chosen string) []string {
	var out []string
	for _, req := range reqs {
		for _, name := range sortedKeys(req) {
			if name != chosen && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// operationSecurity returns the security requirements of the first
// operation that has any, for documents without a global one.
func (im *importer) operationSecurity() openapi3.SecurityRequirements {
	for _, p := range im.doc.Paths.InMatchingOrder() {
		item := im.doc.Paths.Value(p)
		if item == nil {
			continue
		}
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if op := item.GetOperation(m); op != nil && op.Security != nil && len(*op.Security) > 0 {
				return *op.Security
			}
		}
	}
	return nil
}

// schemeAuth maps one security scheme, or says why it cannot.
func schemeAuth(s *openapi3.SecurityScheme, scopes []string) (*catalog.Auth, string) {
	switch strings.ToLower(s.Type) {
	case "http":
		switch strings.ToLower(s.Scheme) {
		case "basic":
			return &catalog.Auth{Scheme: catalog.AuthBasic, User: "${User}", Password: "${Password}"}, ""
		case "bearer":
			return &catalog.Auth{Scheme: catalog.AuthBearer, Token: "${Token}"}, ""
		case "digest":
			return &catalog.Auth{Scheme: catalog.AuthDigest, User: "${User}", Password: "${Password}"}, ""
		}
		return nil, "http scheme " + s.Scheme + " is not supported"
	case "apikey":
		in := strings.ToLower(s.In)
		if in != "header" && in != "query" {
			return nil, "an API key in " + s.In + " is not supported"
		}
		return &catalog.Auth{Scheme: catalog.AuthAPIKey, Key: "${APIKey}", Name: s.Name, In: in}, ""
	case "oauth2":
		f := s.Flows
		if f == nil {
			return nil, "oauth2 without flows"
		}
		a := &catalog.Auth{Scheme: catalog.AuthOAuth2, ClientID: "${OAuthClientId}", ClientSecret: "${OAuthClientSecret}"}
		var flow *openapi3.OAuthFlow
		switch {
		case f.ClientCredentials != nil:
			flow, a.GrantType = f.ClientCredentials, "client_credentials"
		case f.Password != nil:
			flow, a.GrantType = f.Password, "password"
			a.User, a.Password = "${User}", "${Password}"
		case f.AuthorizationCode != nil:
			flow, a.GrantType = f.AuthorizationCode, "refresh_token"
			a.RefreshToken = "${OAuthRefreshToken}"
		default:
			return nil, "only the implicit oauth2 flow, which needs a browser"
		}
		a.TokenURL = flow.TokenURL
		if len(scopes) > 0 {
			a.Scopes = slices.Clone(scopes)
		} else {
			for name := range flow.Scopes {
				a.Scopes = append(a.Scopes, name)
			}
			slices.Sort(a.Scopes)
		}
		return a, ""
	}
	return nil, s.Type + " is not supported"
}
