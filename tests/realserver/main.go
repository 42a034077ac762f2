// Command realserver runs Mattermost's own server code (the published Go module, fetched by
// `go`) on loopback against a PostgreSQL database, creates the first system admin and a
// session token for it, and prints one JSON line with the URL and the token once the
// server answers (on stdout, and whole into the -ready file). It is the judge of mmrc's sandbox: scripts/real-mattermost builds and starts
// it. Nothing here re-implements Mattermost: every request is served by its api4 and web
// handlers, its app layer and its SQL store.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/shared/request"
	"github.com/mattermost/mattermost/server/v8/channels/api4"
	"github.com/mattermost/mattermost/server/v8/channels/app"
	"github.com/mattermost/mattermost/server/v8/channels/utils"
	"github.com/mattermost/mattermost/server/v8/channels/web"
	"github.com/mattermost/mattermost/server/v8/channels/wsapi"
	"github.com/mattermost/mattermost/server/v8/config"

	// As Mattermost's own main package: the built-in slash commands and the GitLab SSO provider.
	_ "github.com/mattermost/mattermost/server/v8/channels/app/oauthproviders/gitlab"
	_ "github.com/mattermost/mattermost/server/v8/channels/app/slashcommands"
)

type options struct {
	host, dsn, dataDir, readyFile            string
	port                                     int
	unlicensed                               bool
	adminUsername, adminPassword, adminEmail string
}

// ready is the one line printed on stdout when the server answers.
type ready struct {
	URL        string `json:"url"`
	Token      string `json:"token"`
	UserID     string `json:"user_id"`
	Username   string `json:"username"`
	Version    string `json:"version"`
	Licensed   bool   `json:"licensed"`
	ConfigFile string `json:"config_file"`
}

func main() {
	var o options
	flag.StringVar(&o.host, "host", "127.0.0.1", "address to listen on (loopback)")
	flag.IntVar(&o.port, "port", 8065, "port to listen on")
	flag.StringVar(&o.dsn, "dsn", "", "PostgreSQL data source (postgres://user@host:port/db?sslmode=disable)")
	flag.StringVar(&o.dataDir, "data", "", "directory for the config file, uploaded files and plugins")
	flag.StringVar(&o.readyFile, "ready", "", "write the ready line to this file too (stdout carries the server's log)")
	flag.BoolVar(&o.unlicensed, "unlicensed", false, "run without a licence (Team Edition behaviour)")
	flag.StringVar(&o.adminUsername, "admin-username", "sysadmin", "the first system admin")
	flag.StringVar(&o.adminPassword, "admin-password", "Sysadmin-local-only-1", "its password")
	flag.StringVar(&o.adminEmail, "admin-email", "sysadmin@example.com", "its e-mail")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "realserver:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.dsn == "" || o.dataDir == "" {
		return fmt.Errorf("-dsn and -data are required")
	}
	if err := utils.TranslationsPreInit(); err != nil {
		return fmt.Errorf("translations (run from the Mattermost module directory): %w", err)
	}
	store, err := configure(o)
	if err != nil {
		return err
	}
	defer store.Close()

	// As Mattermost's own `server` command: the essential jobs run (the job workers among
	// them, which run the permissions migration that moderation and schemes wait for).
	server, err := app.NewServer(app.ConfigStore(store), app.RunEssentialJobs)
	if err != nil {
		return fmt.Errorf("new server: %w", err)
	}
	// The test licence goes in after NewServer: its licence check reloads the licence from the
	// database (which has none) and would drop one given as an option.
	if !o.unlicensed {
		server.SetLicense(model.NewTestLicense())
	}
	defer server.Shutdown()
	if _, err := api4.Init(server); err != nil {
		return fmt.Errorf("api4: %w", err)
	}
	wsapi.Init(server)
	web.New(server)
	if err := server.Start(); err != nil {
		return fmt.Errorf("start: %w", err)
	}

	a := app.New(app.ServerConnector(server.Channels()))
	rctx := request.EmptyContext(server.Log())
	if err := awaitMigrations(server, a, rctx); err != nil {
		return err
	}
	admin, token, err := bootstrapAdmin(a, rctx, o)
	if err != nil {
		return err
	}
	line, _ := json.Marshal(ready{
		URL:        siteURL(o),
		Token:      token,
		UserID:     admin.Id,
		Username:   admin.Username,
		Version:    model.CurrentVersion,
		Licensed:   !o.unlicensed,
		ConfigFile: filepath.Join(o.dataDir, "config.json"),
	})
	fmt.Println(string(line))
	if o.readyFile != "" {
		// Written whole, then renamed: a reader never sees half a line.
		if err := os.WriteFile(o.readyFile+".tmp", append(line, '\n'), 0o600); err != nil {
			return err
		}
		if err := os.Rename(o.readyFile+".tmp", o.readyFile); err != nil {
			return err
		}
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	return nil
}

// awaitMigrations runs and waits for the advanced-permissions migration that a fresh database
// needs: until it completes, moderation and scheme endpoints answer 501. Mattermost schedules
// it as a job a minute after start; a server in use has long finished it, and the harness
// hands out a server in that state.
func awaitMigrations(server *app.Server, a *app.App, rctx request.CTX) error {
	if a.IsPhase2MigrationCompleted() != nil && server.Jobs != nil {
		data := map[string]string{"migration_key": model.MigrationKeyAdvancedPermissionsPhase2}
		if _, appErr := server.Jobs.CreateJob(rctx, model.JobTypeMigrations, data); appErr != nil {
			return fmt.Errorf("migrations job: %w", appErr)
		}
	}
	deadline := time.Now().Add(3 * time.Minute)
	for a.IsPhase2MigrationCompleted() != nil {
		if time.Now().After(deadline) {
			return fmt.Errorf("the permissions migration did not complete within 3 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil
}

func siteURL(o options) string {
	return "http://" + net.JoinHostPort(o.host, strconv.Itoa(o.port))
}

// configure writes the server's settings: Mattermost's defaults (a fresh install), except where
// the server listens, its database and directories, and everything that would call out to the
// internet.
func configure(o options) (*config.Store, error) {
	for _, sub := range []string{"files", "plugins", "client-plugins"} {
		if err := os.MkdirAll(filepath.Join(o.dataDir, sub), 0o700); err != nil {
			return nil, err
		}
	}
	store, err := config.NewStoreFromDSN(filepath.Join(o.dataDir, "config.json"), false, nil, true)
	if err != nil {
		return nil, fmt.Errorf("config store: %w", err)
	}
	cfg := store.Get().Clone()
	no := model.NewPointer(false)
	cfg.ServiceSettings.ListenAddress = model.NewPointer(net.JoinHostPort(o.host, strconv.Itoa(o.port)))
	cfg.ServiceSettings.SiteURL = model.NewPointer(siteURL(o))
	cfg.ServiceSettings.EnableSecurityFixAlert = no
	cfg.SqlSettings.DriverName = model.NewPointer(model.DatabaseDriverPostgres)
	cfg.SqlSettings.DataSource = model.NewPointer(o.dsn)
	cfg.FileSettings.Directory = model.NewPointer(filepath.Join(o.dataDir, "files") + "/")
	cfg.PluginSettings.Directory = model.NewPointer(filepath.Join(o.dataDir, "plugins"))
	cfg.PluginSettings.ClientDirectory = model.NewPointer(filepath.Join(o.dataDir, "client-plugins"))
	cfg.PluginSettings.EnableMarketplace = no
	cfg.PluginSettings.AutomaticPrepackagedPlugins = no
	cfg.LogSettings.EnableFile = no
	cfg.LogSettings.EnableDiagnostics = no
	cfg.LogSettings.ConsoleLevel = model.NewPointer("WARN")
	cfg.AnnouncementSettings.AdminNoticesEnabled = no
	cfg.AnnouncementSettings.UserNoticesEnabled = no
	cfg.EmailSettings.SendEmailNotifications = no
	if _, _, err := store.Set(cfg); err != nil {
		store.Close()
		return nil, fmt.Errorf("config: %w", err)
	}
	return store, nil
}

// bootstrapAdmin creates the first system admin (or finds it, on a database that has one) and
// gives it a new session token.
func bootstrapAdmin(a *app.App, rctx request.CTX, o options) (*model.User, string, error) {
	admin, appErr := a.GetUserByUsername(o.adminUsername)
	if appErr != nil {
		admin, appErr = a.CreateUser(rctx, &model.User{
			Username:      o.adminUsername,
			Email:         o.adminEmail,
			Password:      o.adminPassword,
			EmailVerified: true,
		})
		if appErr != nil {
			return nil, "", fmt.Errorf("create admin: %w", appErr)
		}
	}
	if !admin.IsSystemAdmin() {
		admin, appErr = a.UpdateUserRoles(rctx, admin.Id, model.SystemUserRoleId+" "+model.SystemAdminRoleId, false)
		if appErr != nil {
			return nil, "", fmt.Errorf("admin role: %w", appErr)
		}
	}
	// A session token, as the sandbox's admin token is one: a personal access token would
	// need ServiceSettings.EnableUserAccessTokens, and the server keeps Mattermost's defaults.
	session, appErr := a.CreateSession(rctx, &model.Session{UserId: admin.Id, Roles: admin.GetRawRoles()})
	if appErr != nil {
		return nil, "", fmt.Errorf("session: %w", appErr)
	}
	return admin, session.Token, nil
}
